/**
 * Settings of the embedded IMS. Every option is documented with its default; `resolveImsConfig` fills defaults,
 * validates with path-qualified messages and freezes. Secrets arrive as values (the config layer reads env/files).
 */

export interface ImsClientConfig {
  clientId: string;
  /** Omit for a public client (PKCE, no secret). */
  clientSecret?: string;
  /** Exact-match redirect URIs (RFC 9700 section 2.1). */
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** Default ['authorization_code', 'refresh_token']; add 'client_credentials' for machine clients. */
  grantTypes?: string[];
  /** First-party clients (Rehome's own console, the product) skip the consent page. Default false. */
  firstParty?: boolean;
  /** Scopes a client-credentials token may carry (e.g. 'scim', 'ims_admin'). Default none. */
  allowedScopes?: string[];
  /** The organization a machine client acts for (SCIM / Admin API tenant); its tokens reach only this org. */
  orgId?: string;
  /** The application's name as people know it ("Engage"): the IMS pages and mails say where to go back to. */
  name?: string;
  /**
   * Where people go back to after an IMS page the client sent them to (password set, password changed): the
   * product's home. Default: the first post-logout redirect URI, else the origin of the first redirect URI. The
   * first client that sets it is "the product" for pages and mails no client started (invitations).
   */
  homeUrl?: string;
}

export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS (port 465). Default false (STARTTLS when offered). */
  secure?: boolean;
  user?: string;
  password?: string;
  /** From header, e.g. `"IMS" <no-reply@ims.example>`. */
  from: string;
}

export interface ImsConfigInput {
  /** Public base URL of the Rehome server, e.g. `https://rehome.example`; the issuer is `<baseUrl>/ims`. Required. */
  baseUrl: string;
  /** Keys that sign cookies (newest first; keep old ones while rotating). At least one, 32+ characters. Required. */
  cookieKeys: string[];
  /** Secret for one-time links and CSRF tokens (32+ characters). Required. */
  linkSecret: string;
  /** Allow an `http://` base URL on a loopback host (127.0.0.1, localhost, ::1); never elsewhere. Default false. */
  allowInsecureHttp?: boolean;
  /** Button and page text shown to people. Default "Continue with IMS". */
  brandText?: string;
  /** Name of the identity system in page titles and mails. Default "IMS". */
  productName?: string;
  clients?: ImsClientConfig[];
  ttl?: Partial<ImsTtl>;
  throttle?: Partial<ImsThrottle>;
  requestLimits?: Partial<ImsRequestLimits>;
  /** Serve `/ims/dev/outbox` listing stored mails. Default false; never enable in production. */
  devOutbox?: boolean;
  /**
   * Case-fold the local part of addresses when matching accounts (the app's `matching.caseFoldLocalPart`, so the
   * IMS and the migration plan derive the same key). Default true.
   */
  caseFoldLocalPart?: boolean;
  /** When set, mail goes out over SMTP; otherwise into the database outbox. */
  smtp?: SmtpConfig | null;
  /**
   * The "What changes for me" page of a subscription, a path under `baseUrl` with `{subscription}` in it: the
   * invitation and the pages of an account that belongs to a product subscription link it. Default
   * `/help/{subscription}` (Rehome's help page, mounted beside the IMS); null: no link (the IMS on its own).
   */
  helpPagePath?: string | null;
}

/** Lifetimes in seconds. */
export interface ImsTtl {
  /** Default 600. */
  accessToken: number;
  /** Default 600. */
  authorizationCode: number;
  /** Default 3600. */
  idToken: number;
  /** Default 14 days. */
  refreshToken: number;
  /** Default 14 days. */
  session: number;
  /** Default 3600. */
  interaction: number;
  /** Email verification link; default 24 hours. */
  verifyEmailLink: number;
  /** Password reset link; default 1 hour. */
  resetPasswordLink: number;
}

export interface ImsThrottle {
  /** Failed sign-ins per account within `windowSeconds` before the account is paused. Default 5. */
  maxFailuresPerAccount: number;
  /** Failed sign-ins per client IP within `windowSeconds` before that IP is paused. Default 20. */
  maxFailuresPerIp: number;
  /** Default 900 (15 minutes). */
  windowSeconds: number;
  /** How long a pause lasts. Default 900. */
  blockSeconds: number;
}

/**
 * Sign-ups, password-reset requests and verification resends (each counted on its own) within `windowSeconds`.
 * Over a limit the answer is 429 with `Retry-After`, and nothing is sent or created.
 */
export interface ImsRequestLimits {
  /** Per address (its look-up key: spellings of one mailbox count together). Default 5. */
  perAddress: number;
  /** Per client address (IPv4 address, IPv6 /64). Default 20; raise it when many people share one NAT. */
  perClient: number;
  /** Default 3600 (one hour). */
  windowSeconds: number;
}

export interface ImsConfig extends Required<Omit<ImsConfigInput, 'ttl' | 'throttle' | 'requestLimits' | 'smtp' | 'helpPagePath'>> {
  issuer: string;
  ttl: ImsTtl;
  throttle: ImsThrottle;
  requestLimits: ImsRequestLimits;
  smtp: SmtpConfig | null;
  helpPagePath: string | null;
}

export const imsConfigDefaults = {
  allowInsecureHttp: false,
  brandText: 'Continue with IMS',
  productName: 'IMS',
  devOutbox: false,
  caseFoldLocalPart: true,
  helpPagePath: '/help/{subscription}',
  ttl: {
    accessToken: 600,
    authorizationCode: 600,
    idToken: 3600,
    refreshToken: 14 * 24 * 3600,
    session: 14 * 24 * 3600,
    interaction: 3600,
    verifyEmailLink: 24 * 3600,
    resetPasswordLink: 3600,
  } satisfies ImsTtl,
  throttle: { maxFailuresPerAccount: 5, maxFailuresPerIp: 20, windowSeconds: 900, blockSeconds: 900 } satisfies ImsThrottle,
  requestLimits: { perAddress: 5, perClient: 20, windowSeconds: 3600 } satisfies ImsRequestLimits,
} as const;

export class ImsConfigError extends Error {
  readonly code = 'config_invalid';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function resolveImsConfig(input: ImsConfigInput): ImsConfig {
  let base: URL;
  try {
    base = new URL(input.baseUrl);
  } catch {
    throw new ImsConfigError('ims.baseUrl must be an absolute URL');
  }
  const allowInsecureHttp = input.allowInsecureHttp ?? imsConfigDefaults.allowInsecureHttp;
  if (base.protocol === 'http:') {
    if (!allowInsecureHttp) throw new ImsConfigError('ims.baseUrl must be an https URL (or set ims.allowInsecureHttp for a loopback demo)');
    if (!LOOPBACK.has(base.hostname)) throw new ImsConfigError('ims.allowInsecureHttp only applies to loopback hosts');
  } else if (base.protocol !== 'https:') {
    throw new ImsConfigError('ims.baseUrl must be an https URL');
  }
  if (!Array.isArray(input.cookieKeys) || input.cookieKeys.length === 0 || input.cookieKeys.some((k) => typeof k !== 'string' || k.length < 32)) {
    throw new ImsConfigError('ims.cookieKeys must hold at least one key of 32 or more characters');
  }
  if (typeof input.linkSecret !== 'string' || input.linkSecret.length < 32) {
    throw new ImsConfigError('ims.linkSecret must be 32 or more characters');
  }
  const clients = (input.clients ?? []).map((client, i) => {
    if (!client.clientId) throw new ImsConfigError(`ims.clients[${i}].clientId must not be empty`);
    if (!Array.isArray(client.redirectUris)) throw new ImsConfigError(`ims.clients[${i}].redirectUris must be an array`);
    if (client.homeUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(client.homeUrl)) throw new ImsConfigError(`ims.clients[${i}].homeUrl must be an absolute http(s) URL`);
    return Object.freeze({ ...client });
  });
  const requestLimits = { ...imsConfigDefaults.requestLimits, ...input.requestLimits };
  for (const [name, value] of Object.entries(requestLimits)) {
    if (!Number.isInteger(value) || value < 1) throw new ImsConfigError(`ims.requestLimits.${name} must be a positive integer`);
  }
  const helpPagePath = input.helpPagePath === undefined ? imsConfigDefaults.helpPagePath : input.helpPagePath;
  if (helpPagePath !== null && (!helpPagePath.startsWith('/') || !helpPagePath.includes('{subscription}'))) {
    throw new ImsConfigError('ims.helpPagePath must be a path starting with / that holds {subscription}');
  }
  const origin = base.origin + base.pathname.replace(/\/+$/, '');
  return Object.freeze({
    baseUrl: origin,
    issuer: `${origin}/ims`,
    cookieKeys: [...input.cookieKeys],
    linkSecret: input.linkSecret,
    allowInsecureHttp,
    brandText: input.brandText ?? imsConfigDefaults.brandText,
    productName: input.productName ?? imsConfigDefaults.productName,
    clients,
    ttl: Object.freeze({ ...imsConfigDefaults.ttl, ...input.ttl }),
    throttle: Object.freeze({ ...imsConfigDefaults.throttle, ...input.throttle }),
    requestLimits: Object.freeze(requestLimits),
    devOutbox: input.devOutbox ?? imsConfigDefaults.devOutbox,
    caseFoldLocalPart: input.caseFoldLocalPart ?? imsConfigDefaults.caseFoldLocalPart,
    smtp: input.smtp ?? null,
    helpPagePath,
  });
}
