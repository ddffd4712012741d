import type { Reason, ReasonCode } from './report.ts';

interface ReasonText {
  severity: Reason['severity'];
  message: string;
  fix: string;
}

/**
 * Every reason code with the sentence a person reads and the fix they can act on. docs/readiness.md is checked
 * against this table by a test, so the two never drift.
 */
export const REASONS: Readonly<Record<ReasonCode, ReasonText>> = Object.freeze({
  invalid_email: {
    severity: 'block',
    message: 'The email address cannot be used: {detail}.',
    fix: "Correct the user's email in the product, have them verify it, then run readiness again.",
  },
  duplicate_email: {
    severity: 'block',
    message: 'Another product user in this subscription has the same address after normalisation ({detail}).',
    fix: 'Give each person their own address, or deactivate the extra login; an IMS account belongs to one person.',
  },
  ambiguous_ims_match: {
    severity: 'block',
    message: 'Several IMS accounts use this address ({detail}); Rehome will not guess which one is this person.',
    fix: 'In the IMS, remove or merge the extra accounts so exactly one holds the address.',
  },
  ims_email_unverified: {
    severity: 'block',
    message: 'An IMS account holds this address but has not verified it; linking it could hand this user to whoever created it.',
    fix: "Ask the person to verify the address on the IMS account (or remove that account if it is not theirs), then run readiness again.",
  },
  confusable_email: {
    severity: 'block',
    message: 'The address mixes writing systems or looks like another user\'s address ({detail}); it is flagged, never merged.',
    fix: 'Confirm with the person which address is really theirs and correct it in the product.',
  },
  sso_not_configured: {
    severity: 'block',
    message: 'The user signs in with SSO today, but the IMS organization has no SSO configured; they would lose SSO.',
    fix: 'Configure SSO federation for the organization in the IMS before the user migration date.',
  },
  domain_claimed_elsewhere: {
    severity: 'block',
    message: 'The address domain ({detail}) is claimed by another IMS organization, which owns the accounts in it.',
    fix: "Use an address in a domain this organization controls, or have the other organization's admin add an exception or move the domain.",
  },
  invite_not_accepted: {
    severity: 'block',
    message: 'The user was invited to the product but never accepted, so the address was never verified.',
    fix: 'Resend the invitation or verification email, or skip the user if they no longer need access.',
  },
  ims_account_disabled: {
    severity: 'block',
    message: 'The matching IMS account is {detail}; the user could not sign in after the move.',
    fix: 'Re-enable the IMS account (or remove it so a new one can be created), then run readiness again.',
  },
  identity_type_conflict: {
    severity: 'warn',
    message: 'The person already has a personal IMS account with this address; the organization manages {detail}, so the move creates a managed (enterprise) ID for them and the personal account stays theirs.',
    fix: 'Nothing blocks the move. Tell the person: at sign-in, the password set through the invitation opens the managed ID with this product; their personal account keeps its own password and content.',
  },
  ims_signup_pending: {
    severity: 'warn',
    message: 'An IMS sign-up that never verified this address holds it; it reserves nothing: the migration creates the planned account and cancels that sign-up (a mail tells the address why).',
    fix: 'Nothing to do. If the person made that sign-up, they use the invitation instead.',
  },
  email_unverified: {
    severity: 'block',
    message: 'The user has not verified their email address in the product.',
    fix: 'Send a verification email (rehome comms, or Verify Email in the console); skip the user if they will not verify.',
  },
  api_only: {
    severity: 'warn',
    message: 'API-only user: not moved to the IMS; keeps its product credentials.',
    fix: 'Nothing to do. Manage API-only users in the product as before.',
  },
  deactivated: {
    severity: 'warn',
    message: 'Deactivated in the product: will not be migrated and will have no IMS access.',
    fix: 'Reactivate the user in the product first if they still need access.',
  },
  locked: {
    severity: 'warn',
    message: 'Locked in the product (access expired or locked by an admin): will not be migrated.',
    fix: 'Unlock the user in the product first if they still need access.',
  },
  login_differs_from_email: {
    severity: 'warn',
    message: 'The user signs in as "{detail}", which is not their email; after the move they sign in with their email.',
    fix: 'Tell the user their sign-in name becomes their email address (the after-migration notice says so).',
  },
  access_expires: {
    severity: 'warn',
    message: 'The product ends this user\'s access on {detail}; the IMS has no per-user expiry.',
    fix: 'Keep enforcing the expiry in the product (Rehome leaves it there), or remove the user from the product profile on that date.',
  },
  plus_or_dot_address: {
    severity: 'warn',
    message: 'A Gmail address with "." or "+": Gmail delivers it to the same inbox as other spellings.',
    fix: 'Prefer the person\'s canonical address; some identity systems refuse such addresses.',
  },
  admin_not_ready: {
    severity: 'warn',
    message: 'This user is a subscription admin and is not eligible; admins migrate first.',
    fix: 'Resolve this admin\'s other reasons first, or make sure another admin is ready.',
  },
  in_several_subscriptions: {
    severity: 'warn',
    message: 'The same person is a user of other subscriptions in this run ({detail}): one IMS account, one membership each.',
    fix: 'Nothing to do; verifying the address once counts for every subscription.',
  },
});

/** A reason with its sentence; `{detail}` in the message is replaced by `detail` (or dropped with its brackets). */
export function reason(code: ReasonCode, detail?: string): Reason {
  const text = REASONS[code];
  if (detail === undefined) return (PLAIN[code] ??= Object.freeze({ code, severity: text.severity, message: text.message.replace(/ \(\{detail\}\)/, '').replace('{detail}', ''), fix: text.fix }));
  // A function replacement: a detail from the input (an address, a login) holding `$&` or `$'` is inserted as typed.
  return { code, severity: text.severity, message: text.message.replace('{detail}', () => detail), fix: text.fix };
}

/** The reasons without a detail, made once: a million users share a handful of them (frozen, so none is changed). */
const PLAIN: Partial<Record<ReasonCode, Reason>> = {};
