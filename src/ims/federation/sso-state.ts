import { hkdfSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { appendSetCookie, parseCookies } from '../../http/http-io.ts';
import type { UpstreamChecks } from './upstream-client.ts';

const COOKIE = 'ims_sso';
const PATH = '/ims/sso';

/** A sign-in sent upstream and not yet back: which interaction it finishes, for which org, and its checks. */
export interface PendingSso extends UpstreamChecks {
  /** oidc-provider interaction uid. */
  uid: string;
  orgId: string;
  /** The upstream issuer the request went to (a later change of the org's settings voids it). */
  issuer: string;
}

/**
 * The pending upstream sign-in, sealed (AES-256-GCM, `dir` JWE) in an HttpOnly cookie scoped to the callback
 * path. Sealed, not only signed, because it carries the PKCE verifier; bound to this browser because the
 * callback's `state` must equal the one inside (RFC 6749 section 10.12).
 */
export function createSsoState(secret: string, options: { secure: boolean; ttlSeconds: number }) {
  const key = new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), 'rehome ims sso state', 32));
  const attributes = `Path=${PATH}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
  return {
    async save(res: ServerResponse, pending: PendingSso): Promise<void> {
      const sealed = await new EncryptJWT({ ...pending })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds}s`)
        .encrypt(key);
      appendSetCookie(res, `${COOKIE}=${sealed}; Max-Age=${options.ttlSeconds}; ${attributes}`);
    },

    /** The pending sign-in, or undefined when the cookie is missing, expired or was not made here. */
    async read(req: IncomingMessage): Promise<PendingSso | undefined> {
      const sealed = parseCookies(req)[COOKIE];
      if (!sealed) return undefined;
      try {
        const { payload } = await jwtDecrypt(sealed, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
        const fields = ['uid', 'orgId', 'issuer', 'state', 'nonce', 'verifier'] as const;
        if (!fields.every((f) => typeof payload[f] === 'string')) return undefined;
        return Object.fromEntries(fields.map((f) => [f, payload[f]])) as unknown as PendingSso;
      } catch {
        return undefined;
      }
    },

    /** One use: the callback clears it whatever the outcome. */
    clear(res: ServerResponse): void {
      appendSetCookie(res, `${COOKIE}=; Max-Age=0; ${attributes}`);
    },
  };
}

export type SsoState = ReturnType<typeof createSsoState>;
