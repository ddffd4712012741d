import type { ReasonCode, Severity } from '../readiness/report.ts';
import type { ReasonWords } from './words.ts';

/**
 * Every readiness reason as a person reads it: the label of a filter or a table cell, the sentence that stands alone
 * (the reason table, docs/readiness.md), the same sentence with the user's own detail, and the fix.
 */
export const REASON_WORDS: Readonly<Record<ReasonCode, ReasonWords>> = Object.freeze({
  invalid_email: {
    label: 'Unusable email address',
    sentence: 'The email address cannot be used: it is malformed, or holds characters a mail system would change.',
    withDetail: 'The email address cannot be used: {detail}.',
    fix: "Correct the user's email in the product, have them verify it, then run readiness again.",
  },
  duplicate_email: {
    label: 'Address shared with another user',
    sentence: 'Another product user in this subscription has the same address after normalisation.',
    withDetail: 'Another product user in this subscription has the same address after normalisation ({detail}).',
    fix: 'Give each person their own address, or deactivate the extra login; an IMS account belongs to one person.',
  },
  ambiguous_ims_match: {
    label: 'Several IMS accounts',
    sentence: 'Several IMS accounts use this address; Rehome will not guess which one is this person.',
    withDetail: 'Several IMS accounts use this address ({detail}); Rehome will not guess which one is this person.',
    fix: 'In the IMS, remove or merge the extra accounts so exactly one holds the address.',
  },
  ims_email_unverified: {
    label: 'IMS address not verified',
    sentence: 'An IMS account holds this address but has not verified it; linking it could hand this user to whoever created it.',
    fix: 'Ask the person to verify the address on the IMS account (or remove that account if it is not theirs), then run readiness again.',
  },
  confusable_email: {
    label: 'Look-alike address',
    sentence: "The address mixes writing systems or looks like another user's address; it is flagged, never merged.",
    withDetail: "The address mixes writing systems or looks like another user's address ({detail}); it is flagged, never merged.",
    fix: 'Confirm with the person which address is really theirs and correct it in the product.',
  },
  sso_not_configured: {
    label: 'SSO not set up in the IMS',
    sentence: 'The user signs in with SSO today, but the IMS organization has no SSO configured; they would lose SSO.',
    fix: 'Configure SSO federation for the organization in the IMS before the user migration date.',
  },
  domain_claimed_elsewhere: {
    label: 'Domain of another organization',
    sentence: 'The address domain is claimed by another IMS organization, which owns the accounts in it.',
    withDetail: 'The address domain ({detail}) is claimed by another IMS organization, which owns the accounts in it.',
    fix: "Use an address in a domain this organization controls, or have the other organization's admin add an exception or move the domain.",
  },
  invite_not_accepted: {
    label: 'Invitation not accepted',
    sentence: 'The user was invited to the product but never accepted, so the address was never verified.',
    fix: 'Resend the invitation or verification email, or skip the user if they no longer need access.',
  },
  ims_account_disabled: {
    label: 'IMS account disabled',
    sentence: 'The matching IMS account is disabled or locked; the user could not sign in after the move.',
    withDetail: 'The matching IMS account is {detail}; the user could not sign in after the move.',
    fix: 'Re-enable the IMS account (or remove it so a new one can be created), then run readiness again.',
  },
  identity_type_conflict: {
    label: 'Also has a personal IMS account',
    sentence: 'The person already has a personal IMS account with this address; the organization manages the domain, so the move creates a managed (enterprise) ID for them and the personal account stays theirs.',
    withDetail: 'The person already has a personal IMS account with this address; the organization manages {detail}, so the move creates a managed (enterprise) ID for them and the personal account stays theirs.',
    fix: 'Nothing blocks the move. Tell the person: at sign-in, the password set through the invitation opens the managed ID with this product; their personal account keeps its own password and content.',
  },
  ims_signup_pending: {
    label: 'Unfinished IMS sign-up',
    sentence: 'An IMS sign-up that never verified this address holds it; it reserves nothing: the migration creates the planned account and cancels that sign-up (a mail tells the address why).',
    fix: 'Nothing to do. If the person made that sign-up, they use the invitation instead.',
  },
  email_unverified: {
    label: 'Email not verified',
    sentence: 'The user has not verified their email address in the product.',
    fix: 'Send a verification email (rehome comms, or Verify Email in the console); skip the user if they will not verify.',
  },
  api_only: {
    label: 'API-only user',
    sentence: 'API-only user: not moved to the IMS; keeps its product credentials.',
    fix: 'Nothing to do. Manage API-only users in the product as before.',
  },
  deactivated: {
    label: 'Deactivated in the product',
    sentence: 'Deactivated in the product: will not be migrated and will have no IMS access.',
    fix: 'Reactivate the user in the product first if they still need access.',
  },
  locked: {
    label: 'Locked in the product',
    sentence: 'Locked in the product (access expired or locked by an admin): will not be migrated.',
    fix: 'Unlock the user in the product first if they still need access.',
  },
  login_differs_from_email: {
    label: 'Signs in with a user name',
    sentence: 'The user signs in with a name that is not their email address; after the move they sign in with their email.',
    withDetail: 'The user signs in as "{detail}", which is not their email; after the move they sign in with their email.',
    fix: 'Tell the user their sign-in name becomes their email address (the after-migration notice says so).',
  },
  access_expires: {
    label: 'Access ends on a date',
    sentence: "The product ends this user's access on a set date; the IMS has no per-user expiry.",
    withDetail: "The product ends this user's access on {detail}; the IMS has no per-user expiry.",
    fix: 'Keep enforcing the expiry in the product (Rehome leaves it there), or remove the user from the product profile on that date.',
  },
  plus_or_dot_address: {
    label: 'Gmail address with "." or "+"',
    sentence: 'A Gmail address with "." or "+": Gmail delivers it to the same inbox as other spellings.',
    fix: "Prefer the person's canonical address; some identity systems refuse such addresses.",
  },
  admin_not_ready: {
    label: 'Admin not ready',
    sentence: 'This user is a subscription admin and is not eligible; admins migrate first.',
    fix: "Resolve this admin's other reasons first, or make sure another admin is ready.",
  },
  in_several_subscriptions: {
    label: 'In several subscriptions',
    sentence: 'The same person is a user of other subscriptions in this run: one IMS account, one membership each.',
    withDetail: 'The same person is a user of other subscriptions in this run ({detail}): one IMS account, one membership each.',
    fix: 'Nothing to do; verifying the address once counts for every subscription.',
  },
});

/** A reason's severity as a column of a report says it. */
export const SEVERITY_LABELS: Readonly<Record<Severity, string>> = Object.freeze({ block: 'Blocks the move', warn: 'Warning', info: 'Note' });
