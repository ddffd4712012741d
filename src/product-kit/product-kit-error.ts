/** Stable codes of the product kit; products switch on `code`, never on the message. */
export type ProductKitErrorCode =
  | 'invalid_options' // createProductKit got options it cannot work with (http issuer without allowInsecureHttp...)
  | 'invalid_login_state' // the login cookie is missing, garbled or too old: start again
  | 'state_mismatch' // the callback's `state` is not the one this browser started with (RFC 6749 section 10.12)
  | 'nonce_mismatch' // the ID token was not issued for this login (OIDC Core section 3.1.3.7 step 11)
  | 'ims_refused' // the IMS answered the login with an error (access_denied, invalid_grant...)
  | 'invalid_response' // the IMS answered something the kit must not trust (bad signature, issuer, audience)
  | 'ims_unavailable' // the IMS could not be reached
  | 'not_linked' // a valid IMS identity that no product user is linked to
  | 'not_found' // cutover of an unknown product user
  | 'api_only_user'; // cutover of an API-only user (they keep their API credentials)

/** The login a `finishLogin` error belongs to (once its cookie was read): where it started, and whether it was silent. */
export interface FailedLogin {
  /** Started with `silent: true` (`prompt=none`): the product shows its sign-in page instead of the error. */
  silent: boolean;
  returnTo: string | undefined;
  context: string | undefined;
}

/** The kit's one error class. `message` may be shown to the person signing in; `cause` never is. */
export class ProductKitError extends Error {
  readonly code: ProductKitErrorCode;
  /** For `not_linked`: the people to ask (the subscription's admins, as the product names them). */
  readonly whoToAsk: string[];
  /** Errors of `finishLogin` after its cookie was read: the login they end. */
  readonly login: FailedLogin | undefined;
  constructor(code: ProductKitErrorCode, message: string, options: { whoToAsk?: string[]; cause?: unknown; login?: FailedLogin } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProductKitError';
    this.code = code;
    this.whoToAsk = options.whoToAsk ?? [];
    this.login = options.login;
  }
}

export function isProductKitError(error: unknown, code?: ProductKitErrorCode): error is ProductKitError {
  return error instanceof ProductKitError && (code === undefined || error.code === code);
}
