import { ProductKitError } from './product-kit-error.ts';

/**
 * What a login needs to remember between `startLogin` and `finishLogin`. It travels in the product's own cookie
 * (HttpOnly, SameSite=Lax, short-lived), so it is only as private as that cookie: the values are one-use secrets
 * of THIS browser's login. Integrity comes from the protocol, not from a signature: the state must equal the
 * callback's, the nonce must equal the signed ID token's, and the verifier must match the challenge the IMS saw.
 */
export interface LoginState {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A relative path in the product to land on afterwards. */
  returnTo: string | undefined;
  /** Product-defined context (e.g. the instance the login started from), handed back to the link store. */
  context: string | undefined;
  /** Seconds since the epoch. */
  issuedAt: number;
  /** Started with `prompt=none` (see `startLogin`). */
  silent?: boolean;
}

interface Wire {
  v: 1;
  s: string;
  n: string;
  p: string;
  r?: string;
  c?: string;
  t: number;
  q?: 1;
}

export function encodeLoginState(state: LoginState): string {
  const wire: Wire = { v: 1, s: state.state, n: state.nonce, p: state.codeVerifier, t: state.issuedAt };
  if (state.returnTo !== undefined) wire.r = state.returnTo;
  if (state.context !== undefined) wire.c = state.context;
  if (state.silent) wire.q = 1;
  return Buffer.from(JSON.stringify(wire)).toString('base64url');
}

const RESTART = 'This sign-in link is no longer valid. Start again from the sign-in page.';

/** Reads a cookie value back; anything missing, garbled or older than `maxAgeSeconds` is `invalid_login_state`. */
export function decodeLoginState(value: string | undefined, nowSeconds: number, maxAgeSeconds: number): LoginState {
  if (!value) throw new ProductKitError('invalid_login_state', `${RESTART} (The sign-in cookie is missing: cookies may be blocked.)`);
  let wire: Partial<Wire>;
  try {
    wire = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Wire>;
  } catch (cause) {
    throw new ProductKitError('invalid_login_state', RESTART, { cause });
  }
  const texts = [wire.s, wire.n, wire.p];
  if (wire?.v !== 1 || texts.some((t) => typeof t !== 'string' || t.length < 16 || t.length > 200) || typeof wire.t !== 'number') {
    throw new ProductKitError('invalid_login_state', RESTART);
  }
  if (wire.t > nowSeconds + 60 || nowSeconds - wire.t > maxAgeSeconds) throw new ProductKitError('invalid_login_state', RESTART);
  return {
    state: wire.s!, nonce: wire.n!, codeVerifier: wire.p!, issuedAt: wire.t,
    returnTo: typeof wire.r === 'string' && isRelativePath(wire.r) ? wire.r : undefined,
    context: typeof wire.c === 'string' ? wire.c : undefined,
    ...(wire.q === 1 ? { silent: true } : {}),
  };
}

/** Only same-origin paths: `/x` but not `//host` or `/\host` (browsers treat both as another host). */
export function isRelativePath(value: string): boolean {
  return value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') && ![...value].some((c) => c.charCodeAt(0) < 0x20);
}
