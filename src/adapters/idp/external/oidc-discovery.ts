import { IdpError } from '../../../ports/identity-provider.ts';

/** The subset of OpenID Provider Metadata (OpenID Connect Discovery 1.0 section 3) Rehome reads. */
export interface OidcMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  userinfo_endpoint?: string;
  jwks_uri?: string;
  end_session_endpoint?: string;
  scopes_supported?: string[];
  claims_supported?: string[];
  [key: string]: unknown;
}

export interface OidcDiscovery {
  /** The issuer's metadata, fetched once and kept for `ttlMs`. */
  get(signal?: AbortSignal): Promise<OidcMetadata>;
}

export interface OidcDiscoveryOptions {
  issuer: string;
  fetch?: typeof fetch;
  /** How long a fetched document is reused (default 1 hour). */
  ttlMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

export function createOidcDiscovery(options: OidcDiscoveryOptions): OidcDiscovery {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? 3_600_000;
  const issuer = options.issuer;
  // Section 4: the path is appended to the issuer, keeping any path the issuer has.
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let cached: { metadata: OidcMetadata; at: number } | undefined;
  let pending: Promise<OidcMetadata> | undefined;

  const load = async (signal?: AbortSignal): Promise<OidcMetadata> => {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (error) {
      const code = timeout.aborted ? 'timeout' : 'unavailable';
      throw new IdpError(code, `discovery: cannot fetch ${url}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) {
      throw new IdpError(response.status >= 500 || response.status === 429 ? 'unavailable' : 'protocol', `discovery: ${url} answered HTTP ${response.status}`, { status: response.status });
    }
    const metadata = await response.json().catch(() => undefined) as OidcMetadata | undefined;
    if (typeof metadata !== 'object' || metadata === null || typeof metadata.issuer !== 'string') {
      throw new IdpError('protocol', `discovery: ${url} is not an OpenID Provider Metadata document`);
    }
    // Section 4.3: the issuer in the document must be exactly the one we asked (prevents impersonation).
    if (metadata.issuer !== issuer) {
      throw new IdpError('protocol', `discovery: ${url} names issuer ${metadata.issuer}, expected ${issuer}`);
    }
    cached = { metadata, at: now() };
    return metadata;
  };

  return {
    async get(signal) {
      if (cached && now() - cached.at < ttlMs) return cached.metadata;
      pending ??= load(signal).finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
