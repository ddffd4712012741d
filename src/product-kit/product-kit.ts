import * as oidc from 'openid-client';
import type { ImsIdentity, LinkStore } from './link-store.ts';
import { decodeLoginState, encodeLoginState, isRelativePath, type LoginState } from './login-state.ts';
import { ProductKitError } from './product-kit-error.ts';

export interface ProductKitOptions {
  /** The IMS issuer URL, e.g. `https://ims.example/ims` (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** Confidential clients (a server-side product) authenticate with it; omit for a public client. */
  clientSecret?: string;
  /** The product's callback URL, registered at the IMS exactly. */
  redirectUri: string;
  /** Allows an `http://` issuer and redirect URI on a loopback host (demos, tests). Never in production. */
  allowInsecureHttp?: boolean;
  /** The product's link table: IMS identity -> product user. */
  linkStore: LinkStore;
  /** Default `openid email profile`. */
  scope?: string;
  /** Seconds a started login stays valid (default 600). */
  loginTtlSeconds?: number;
  /** Injected fetch (proxies, tests); default the global one, which keeps connections alive. */
  fetch?: typeof fetch;
  /** Injected clock in milliseconds. */
  now?: () => number;
}

export interface StartedLogin {
  /** Send the browser here (302/303). */
  url: string;
  /** Store in an HttpOnly, SameSite=Lax cookie scoped to the callback path, for `loginTtlSeconds`. */
  cookieState: string;
}

export interface FinishedLogin {
  productUserId: string;
  identity: ImsIdentity;
  /** The relative path given to `startLogin`, if any. */
  returnTo: string | undefined;
  context: string | undefined;
  /** From the ID token; for display only (the link, not the email, decided who this is). */
  email: string | undefined;
}

export interface ProductKit {
  readonly issuer: string;
  /**
   * `silent`: ask the IMS not to show any page (`prompt=none`, OIDC Core 3.1.2.1): a person already signed in to
   * the IMS comes straight back signed in; anyone else comes back with an error whose `login.silent` tells the
   * product to show its sign-in page. Try it at most once per browser session, never right after a sign-out.
   */
  startLogin(options?: { returnTo?: string; context?: string; silent?: boolean }): Promise<StartedLogin>;
  finishLogin(callbackUrl: string | URL, cookieState: string | undefined): Promise<FinishedLogin>;
  /** Runs discovery now (optional: the first login does it otherwise). */
  ready(): Promise<void>;
}

// Discovery is cached once per process and issuer: every kit of the process shares it, and a failed discovery is
// forgotten so the next login tries again.
const metadataCache = new Map<string, Promise<oidc.ServerMetadata>>();

export function createProductKit(options: ProductKitOptions): ProductKit {
  const issuerUrl = checkUrl('issuer', options.issuer, options.allowInsecureHttp ?? false);
  checkUrl('redirectUri', options.redirectUri, options.allowInsecureHttp ?? false);
  if (!options.clientId) throw new ProductKitError('invalid_options', 'clientId is required');
  const scope = options.scope ?? 'openid email profile';
  const ttl = options.loginTtlSeconds ?? 600;
  const now = options.now ?? Date.now;
  let configuration: Promise<oidc.Configuration> | undefined;

  const configure = (config: oidc.Configuration): void => {
    if (options.allowInsecureHttp) oidc.allowInsecureRequests(config);
    if (options.fetch) config[oidc.customFetch] = options.fetch as oidc.CustomFetch;
    // Verify the ID token's signature against the IMS's JWKS too (OIDC Core 3.1.3.7 step 6); the key set is fetched
    // once and kept in this configuration, and fetched again only for an unknown `kid` (a key rotation).
    oidc.enableNonRepudiationChecks(config);
  };

  const getConfiguration = (): Promise<oidc.Configuration> => {
    configuration ??= discover().catch((error: unknown) => {
      configuration = undefined;
      throw error;
    });
    return configuration;
  };

  const discover = async (): Promise<oidc.Configuration> => {
    const key = issuerUrl.href;
    let metadata = metadataCache.get(key);
    if (!metadata) {
      metadata = oidc.discovery(issuerUrl, options.clientId, undefined, undefined, {
        // openid-client looks for this exact function to allow an http discovery request.
        execute: options.allowInsecureHttp ? [oidc.allowInsecureRequests] : [], ...(options.fetch ? { [oidc.customFetch]: options.fetch as oidc.CustomFetch } : {}),
      }).then((c) => c.serverMetadata());
      metadataCache.set(key, metadata);
      metadata.catch(() => metadataCache.delete(key));
    }
    let meta: oidc.ServerMetadata;
    try {
      meta = await metadata;
    } catch (cause) {
      throw new ProductKitError('ims_unavailable', `The sign-in service at ${issuerUrl.href} cannot be reached; try again in a minute.`, { cause });
    }
    const auth = options.clientSecret ? oidc.ClientSecretBasic(options.clientSecret) : oidc.None();
    const config = new oidc.Configuration(meta, options.clientId, options.clientSecret, auth);
    configure(config);
    return config;
  };

  return {
    issuer: issuerUrl.href.replace(/\/$/, ''),

    async ready() {
      await getConfiguration();
    },

    async startLogin(start = {}) {
      if (start.returnTo !== undefined && !isRelativePath(start.returnTo)) {
        throw new ProductKitError('invalid_options', 'returnTo must be a path in the product, like /app/home');
      }
      const config = await getConfiguration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: options.redirectUri, scope, state, nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
        ...(start.silent ? { prompt: 'none' } : {}),
      });
      const cookieState = encodeLoginState({ state, nonce, codeVerifier, returnTo: start.returnTo, context: start.context, issuedAt: Math.floor(now() / 1000), silent: Boolean(start.silent) });
      return { url: url.href, cookieState };
    },

    async finishLogin(callbackUrl, cookieState) {
      const saved = decodeLoginState(cookieState, Math.floor(now() / 1000), ttl);
      try {
        return await finish(saved, callbackUrl);
      } catch (error) {
        // The product needs to know which login failed: a silent one falls back to its sign-in page.
        if (!(error instanceof ProductKitError)) throw error;
        throw new ProductKitError(error.code, error.message, { whoToAsk: error.whoToAsk, cause: error.cause, login: { silent: Boolean(saved.silent), returnTo: saved.returnTo, context: saved.context } });
      }
    },
  };

  async function finish(saved: LoginState, callbackUrl: string | URL): Promise<FinishedLogin> {
    const url = new URL(callbackUrl);
    // Checked here, before any network call, so a forged callback costs nothing (RFC 6749 section 10.12).
    if (url.searchParams.get('state') !== saved.state) {
      throw new ProductKitError('state_mismatch', 'This sign-in was not started in this browser. Start again from the sign-in page.');
    }
    const config = await getConfiguration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: saved.codeVerifier, expectedState: saved.state, expectedNonce: saved.nonce, idTokenExpected: true,
      });
    } catch (error) {
      throw mapGrantError(error);
    }
    const claims = tokens.claims()!;
    const identity: ImsIdentity = { issuer: claims.iss, subject: claims.sub };
    const productUserId = await options.linkStore.findLinkedUser(identity, saved.context);
    if (productUserId === undefined) {
      // Anyone with an IMS account gets here: a stranger to this product is told whom to ask in general, and
      // never who the administrators are (their names and addresses are not a stranger's to read).
      throw new ProductKitError('not_linked',
        'You signed in, but your account is not connected to a user here. Ask an administrator of your subscription to add you.');
    }
    await options.linkStore.recordSignIn?.(productUserId, identity);
    return { productUserId, identity, returnTo: saved.returnTo, context: saved.context, email: typeof claims.email === 'string' ? claims.email : undefined };
  }
}

function checkUrl(name: string, value: string, allowInsecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProductKitError('invalid_options', `${name} must be an absolute URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol === 'https:') return url;
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol === 'http:' && allowInsecureHttp && loopback) return url;
  throw new ProductKitError('invalid_options', `${name} must be an https URL (http only on a loopback host with allowInsecureHttp)`);
}

function mapGrantError(error: unknown): ProductKitError {
  const code = (error as { code?: unknown }).code;
  const claim = ((error as { cause?: { cause?: { claim?: unknown } } }).cause?.cause as { claim?: unknown } | undefined)?.claim;
  if (claim === 'nonce') return new ProductKitError('nonce_mismatch', 'This sign-in does not match the one started in this browser. Start again.', { cause: error });
  if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError) {
    return new ProductKitError('ims_refused', 'The sign-in service did not complete the sign-in. Start again.', { cause: error });
  }
  if (error instanceof TypeError || code === undefined) {
    return new ProductKitError('ims_unavailable', 'The sign-in service cannot be reached; try again in a minute.', { cause: error });
  }
  return new ProductKitError('invalid_response', 'The sign-in service answered something this product cannot trust. Start again.', { cause: error });
}
