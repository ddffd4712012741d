/**
 * Short-lived JWT access tokens (RFC 9068 profile: `typ: at+jwt`) for org API clients, and the clients' long-lived
 * SCIM tokens (`rht_…`) for IdPs that paste a fixed token. A token names its client
 * (`sub`, `client_id`) and organization (`org_id`); verification also re-reads the client, so revoking a client
 * stops its tokens at once, and a token never acts for another org than the client's.
 */
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { ACCESS_TOKEN_ALG, createSigningKeys, type SigningKeys } from './admin-signing-keys.ts';
import type { AdminStoreHandle } from './admin-tables.ts';
import { authenticateProvisioningToken, getOrgClient, ORG_CLIENT_SCOPES, type OrgClient, type OrgClientScope } from './org-clients.ts';

const PROVISIONING_TOKEN_PREFIX = 'rht_';

/** Who is calling: the org API client a verified token was issued to. */
export interface OrgPrincipal {
  orgId: string;
  clientId: string;
  scopes: OrgClientScope[];
}

export interface AccessTokenOptions {
  /** `iss` of issued tokens. Default `urn:rehome:ims:admin`. */
  issuer?: string;
  /** Lifetime in seconds. Default 900 (15 minutes). */
  ttlSeconds?: number;
  now?: () => Date;
}

export interface AccessTokens {
  issue(client: OrgClient, scopes: OrgClientScope[]): Promise<{ accessToken: string; expiresIn: number }>;
  /** The principal, or undefined for anything not a valid, current token of an active client. */
  verify(token: string): Promise<OrgPrincipal | undefined>;
  readonly keys: SigningKeys;
}

export const ACCESS_TOKEN_AUDIENCE = 'urn:rehome:ims:admin-api';
const DEFAULT_ISSUER = 'urn:rehome:ims:admin';

export function createAccessTokens(store: AdminStoreHandle, options: AccessTokenOptions = {}): AccessTokens {
  const issuer = options.issuer ?? DEFAULT_ISSUER;
  const ttl = options.ttlSeconds ?? 900;
  const now = options.now ?? (() => new Date());
  const keys = createSigningKeys(store, { now });

  return {
    keys,
    async issue(client, scopes) {
      const { kid, privateKey } = await keys.current();
      const iat = Math.floor(now().getTime() / 1000);
      const accessToken = await new SignJWT({ client_id: client.clientId, org_id: client.orgId, scope: scopes.join(' ') })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setSubject(client.clientId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttl)
        .setJti(randomUUID())
        .sign(privateKey);
      return { accessToken, expiresIn: ttl };
    },

    async verify(token) {
      if (token.startsWith(PROVISIONING_TOKEN_PREFIX)) {
        // A client's long-lived SCIM token (org-clients.ts): checked against its digest, expiry and the client.
        const client = await authenticateProvisioningToken(store, token, now());
        return client && { orgId: client.orgId, clientId: client.clientId, scopes: client.scopes.filter((s) => s === 'scim') };
      }
      try {
        const { kid } = decodeProtectedHeader(token);
        if (typeof kid !== 'string') return undefined;
        const key = await keys.verificationKey(kid);
        if (key === undefined) return undefined;
        const { payload } = await jwtVerify(token, key, {
          issuer,
          audience: ACCESS_TOKEN_AUDIENCE,
          algorithms: [ACCESS_TOKEN_ALG],
          typ: 'at+jwt',
          currentDate: now(),
          requiredClaims: ['exp', 'sub', 'org_id'],
        });
        const client = await getOrgClient(store, String(payload.sub));
        if (client === undefined || client.revokedAt !== null || client.orgId !== payload.org_id) return undefined;
        const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
        // A client whose scopes shrank since issue loses them now, not when the token expires.
        const scopes = ORG_CLIENT_SCOPES.filter((s) => granted.includes(s) && client.scopes.includes(s));
        return { orgId: client.orgId, clientId: client.clientId, scopes };
      } catch {
        // Malformed, expired, wrong signature, wrong audience: all the same "invalid_token" to the caller.
        return undefined;
      }
    },
  };
}

/** Reads `Authorization: Bearer <token>` (RFC 6750 §2.1) and verifies it; undefined when absent or invalid. */
export function createBearerAuthenticator(tokens: AccessTokens): (req: { headers: Record<string, string | string[] | undefined> }) => Promise<OrgPrincipal | undefined> {
  return async (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string') return undefined;
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
    if (match === null) return undefined;
    return tokens.verify(match[1] as string);
  };
}
