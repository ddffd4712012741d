import { IdpError } from '../../../ports/identity-provider.ts';

/** Where the bearer token for SCIM comes from. */
export type ScimAuth =
  | { kind: 'static'; token: string }
  | {
    /** OAuth 2.0 client credentials grant (RFC 6749 section 4.4). */
    kind: 'client_credentials';
    tokenEndpoint: string | (() => Promise<string>);
    clientId: string;
    clientSecret: string;
    scope?: string;
  };

export interface TokenSource {
  /** A token valid for at least a few more seconds. */
  get(signal?: AbortSignal): Promise<string>;
  /** Forget the cached token (after a 401). */
  invalidate(): void;
}

export function createTokenSource(auth: ScimAuth, fetchImpl: typeof fetch, now: () => number): TokenSource {
  if (auth.kind === 'static') return { get: async () => auth.token, invalidate: () => undefined };
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const fetchToken = async (signal?: AbortSignal): Promise<string> => {
    const endpoint = typeof auth.tokenEndpoint === 'string' ? auth.tokenEndpoint : await auth.tokenEndpoint();
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope) body.set('scope', auth.scope);
    // client_secret_basic (RFC 6749 section 2.3.1): form-encode id and secret before base64.
    const basic = Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64');
    let response: Response;
    try {
      response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: signal ?? null,
      });
    } catch (error) {
      throw new IdpError('unavailable', `token: cannot reach ${endpoint}: ${(error as Error).message}`, { cause: error });
    }
    const json = await response.json().catch(() => undefined) as { access_token?: string; expires_in?: number; error?: string; error_description?: string } | undefined;
    if (!response.ok || typeof json?.access_token !== 'string') {
      const code = response.status === 429 ? 'throttled' : response.status >= 500 ? 'unavailable' : 'unauthorized';
      const reason = json?.error ? `${json.error}${json.error_description ? `: ${json.error_description}` : ''}` : 'no access_token';
      throw new IdpError(code, `token: HTTP ${response.status} from ${endpoint}: ${reason}`, { status: response.status });
    }
    const lifetimeMs = (typeof json.expires_in === 'number' ? json.expires_in : 300) * 1000;
    // Renew a little early so a token never expires between the check and the SCIM request.
    cached = { token: json.access_token, expiresAt: now() + lifetimeMs * 0.9 };
    return json.access_token;
  };

  return {
    async get(signal) {
      if (cached && cached.expiresAt > now()) return cached.token;
      // One refresh at a time: concurrent requests share it.
      pending ??= fetchToken(signal).finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
