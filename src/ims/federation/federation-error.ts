/** Why a sign-in through an organization's upstream identity provider was refused. */
export type FederationErrorCode =
  | 'sso_state_missing' // no pending sign-in in this browser (expired, or started elsewhere)
  | 'sso_unavailable' // the upstream provider could not be reached or discovered
  | 'sso_upstream_denied' // the upstream answered with an error (e.g. the person cancelled)
  | 'sso_response_invalid' // state, nonce, issuer, code or token did not check out
  | 'sso_email_unverified' // the upstream did not say email_verified: true
  | 'sso_email_domain' // the upstream's email is not in the organization's federated domains
  | 'sso_account_conflict' // the org account for this email already belongs to another upstream identity
  | 'sso_account_disabled'; // the organization's account for this person is disabled

const statuses: Record<FederationErrorCode, number> = {
  sso_state_missing: 400,
  sso_unavailable: 502,
  sso_upstream_denied: 403,
  sso_response_invalid: 400,
  sso_email_unverified: 403,
  sso_email_domain: 403,
  sso_account_conflict: 409,
  sso_account_disabled: 403,
};

/** The one error class of the SSO federation; `message` may be shown to the person, `cause` never is. */
export class FederationError extends Error {
  readonly code: FederationErrorCode;
  readonly status: number;
  constructor(code: FederationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FederationError';
    this.code = code;
    this.status = statuses[code];
  }
}
