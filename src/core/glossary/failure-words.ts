import type { Words } from './words.ts';

/**
 * Why a user's migration failed, as people read it: the engine records `idp_<IdpErrorCode>` for the IdP's answers
 * (engine/migrate-batch.ts), `plan_drift` when the IMS changed since the plan, and the product's or password step's
 * own code otherwise. The console shows the label with the code beside it (for support); an unknown code is shown
 * as itself.
 */
export const FAILURE_WORDS: Readonly<Record<string, Words>> = Object.freeze({
  idp_throttled: { label: 'IMS busy (rate limited)', sentence: 'The IMS asked Rehome to slow down and the attempts ran out; Retry moves the user when it has room again.' },
  idp_unavailable: { label: 'IMS unavailable', sentence: 'The IMS did not answer or failed; Retry once it is back.' },
  idp_timeout: { label: 'IMS too slow', sentence: 'The IMS gave no complete answer in time; Retry (nothing was created twice: the account is looked up first).' },
  idp_aborted: { label: 'Stopped', sentence: 'The run was stopped before this user finished; Retry.' },
  idp_conflict: { label: 'Account conflict in the IMS', sentence: 'The IMS holds an account that conflicts with this user (the address or login is taken, or the account is linked to someone else).' },
  idp_ambiguous: { label: 'Several IMS accounts', sentence: 'Several verified IMS accounts use this address: someone must choose one before this user can move.' },
  idp_not_found: { label: 'IMS account gone', sentence: 'The IMS account this user was to use no longer exists.' },
  idp_invalid_request: { label: 'Refused by the IMS', sentence: 'The IMS refused the user as sent (for example an address it does not accept); fix the user, then Retry.' },
  idp_unauthorized: { label: 'IMS credentials refused', sentence: "The IMS refused Rehome's credentials: an operator must fix them, then Retry." },
  idp_forbidden: { label: 'Not allowed by the IMS', sentence: 'The IMS does not let Rehome do this for the organization: an operator must grant it, then Retry.' },
  idp_email_unverified: { label: 'Address not verified at the IMS', sentence: 'The IMS needs this address verified first.' },
  idp_type_mismatch: { label: 'Account type changed', sentence: "The IMS would make another kind of account than planned (the organization's domains changed): plan again." },
  idp_exists: { label: 'Account appeared', sentence: 'An IMS account with this address appeared since the plan: plan again.' },
  idp_protocol: { label: 'IMS answer not understood', sentence: 'The IMS answered something Rehome cannot read: an operator must look at the connection.' },
  plan_drift: { label: 'IMS changed since the plan', sentence: 'The IMS changed since the plan (an account vanished, another appeared): run readiness and plan again.' },
  unexpected: { label: 'Unexpected error', sentence: 'Something unexpected failed; the message says what. Retry, and tell support if it happens again.' },
});

/** The label of a failure code, or the code itself when it has none. */
export function failureLabel(code: string | null | undefined): string {
  if (!code) return 'Failed';
  return Object.hasOwn(FAILURE_WORDS, code) ? FAILURE_WORDS[code]!.label : code;
}
