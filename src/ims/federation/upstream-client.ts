import * as oidc from 'openid-client';
import type { SsoFederation } from '../directory/ims-directory.ts';
import { FederationError } from './federation-error.ts';

/** What must survive the round trip to the upstream (kept in the browser's sealed SSO cookie). */
export interface UpstreamChecks {
  state: string;
  nonce: string;
  /** PKCE code verifier (RFC 7636). */
  verifier: string;
}

/** The person as the upstream described them, after every check of the response passed. */
export interface UpstreamIdentity {
  /** The upstream issuer identifier (validated against discovery and the ID token's `iss`). */
  issuer: string;
  subject: string;
  email: string | undefined;
  /** True only when the upstream said exactly `email_verified: true`; missing or anything else is false. */
  emailVerified: boolean;
  firstName: string;
  lastName: string;
}

export interface UpstreamClientOptions {
  /** The IMS's own redirect URI (`<issuer>/sso/callback`), registered at every upstream. */
  redirectUri: string;
  /** The IMS's `allowInsecureHttp`: permits plain-http upstream issuers on loopback hosts (demos, tests). */
  allowInsecureHttp: boolean;
  /** How long discovery results are reused. Default 1 hour. */
  discoveryTtlSeconds?: number;
  /** Per-request timeout towards the upstream, seconds. Default 10. */
  timeoutSeconds?: number;
  /** Outbound fetch for every upstream request (tests inject faults here). Default global fetch. */
  fetch?: oidc.CustomFetch;
  now?: () => number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The IMS as an OpenID Connect relying party of an organization's upstream provider (openid-client 6):
 * authorization code + PKCE + state + nonce, discovery cached per issuer and client.
 */
export function createUpstreamClient(options: UpstreamClientOptions) {
  const now = options.now ?? Date.now;
  const ttlMs = (options.discoveryTtlSeconds ?? 3600) * 1000;
  const cache = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

  const configFor = (sso: SsoFederation): Promise<oidc.Configuration> => {
    const key = JSON.stringify([sso.issuer, sso.clientId, sso.clientSecret]);
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.config;
    const config = discover(sso, options).catch((error: unknown) => {
      cache.delete(key);
      throw new FederationError('sso_unavailable', 'Your organization’s sign-in service cannot be reached right now. Try again later.', { cause: error });
    });
    cache.set(key, { at: now(), config });
    return config;
  };

  return {
    /** The upstream authorization URL and the checks the callback must match. */
    async begin(sso: SsoFederation, loginHint: string): Promise<{ url: URL; checks: UpstreamChecks }> {
      const config = await configFor(sso);
      const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: options.redirectUri,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
        code_challenge_method: 'S256',
        state: checks.state,
        nonce: checks.nonce,
        login_hint: loginHint,
      });
      return { url, checks };
    },

    /** Validates the callback (state, iss, code + PKCE, ID token incl. nonce) and reads the person's claims. */
    async complete(sso: SsoFederation, callbackUrl: URL, checks: UpstreamChecks): Promise<UpstreamIdentity> {
      const config = await configFor(sso);
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw responseError(error);
      }
      const idClaims = tokens.claims()!;
      // Upstreams that keep the ID token small (OIDC Core 5.4) give email only at userinfo; email and
      // email_verified are always read from the same source, never mixed.
      let source: Record<string, unknown> = idClaims;
      if (typeof idClaims.email !== 'string') {
        try {
          source = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        } catch (error) {
          throw responseError(error);
        }
      }
      const text = (name: string) => (typeof source[name] === 'string' ? (source[name] as string) : typeof idClaims[name] === 'string' ? (idClaims[name] as string) : '');
      return {
        issuer: idClaims.iss,
        subject: idClaims.sub,
        email: typeof source.email === 'string' ? source.email : undefined,
        emailVerified: source.email_verified === true,
        firstName: text('given_name'),
        lastName: text('family_name'),
      };
    },
  };
}

export type UpstreamClient = ReturnType<typeof createUpstreamClient>;

async function discover(sso: SsoFederation, options: UpstreamClientOptions): Promise<oidc.Configuration> {
  const issuer = new URL(sso.issuer);
  const insecure = issuer.protocol === 'http:' && options.allowInsecureHttp && LOOPBACK.has(issuer.hostname);
  // RFC 6749 section 2.3.1: every server supports HTTP Basic for confidential clients; no secret = public client.
  const auth = sso.clientSecret ? oidc.ClientSecretBasic(sso.clientSecret) : oidc.None();
  return oidc.discovery(issuer, sso.clientId, sso.clientSecret || undefined, auth, {
    timeout: options.timeoutSeconds ?? 10,
    execute: insecure ? [oidc.allowInsecureRequests] : [],
    ...(options.fetch ? { [oidc.customFetch]: options.fetch } : {}),
  });
}

function responseError(error: unknown): FederationError {
  if (error instanceof oidc.AuthorizationResponseError) {
    return new FederationError('sso_upstream_denied', 'Your organization’s sign-in service did not sign you in. Start again from the application.', { cause: error });
  }
  if (error instanceof TypeError || (error instanceof Error && error.name === 'TimeoutError')) {
    return new FederationError('sso_unavailable', 'Your organization’s sign-in service cannot be reached right now. Try again later.', { cause: error });
  }
  return new FederationError('sso_response_invalid', 'The answer from your organization’s sign-in service did not check out. Start again from the application.', { cause: error });
}
