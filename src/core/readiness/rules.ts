import { EMAIL_PROBLEMS, isAscii, isPlusOrDotGmail } from '../email/normalize-email.ts';
import { formatDayTime } from '../glossary/dates.ts';
import { reason } from './reasons.ts';
import type { Reason } from './report.ts';
import type { RuleAccount, RunIndex, UserFacts } from './run-index.ts';

/** One readiness rule: looks at one user, returns the reasons it finds (none = rule passes). */
export type Rule = (f: UserFacts, ix: RunIndex) => Reason | Reason[] | undefined;

// --- Users who do not move at all: the first that matches decides the status and ends the pipeline. ---

export const keepApiOnlyLocal: Rule = (f) => (f.user.apiOnly ? reason('api_only') : undefined);
export const skipDeactivated: Rule = (f) => (f.user.status === 'deactivated' ? reason('deactivated') : undefined);
export const skipLocked: Rule = (f) => (f.user.locked ? reason('locked') : undefined);

// --- Blocking rules: every one that matches is reported, so a person fixes them all in one go. ---

/** Mixed scripts are reported as a look-alike (below), every other refused address here, with what is wrong. */
export const rejectInvalidEmail: Rule = (f) =>
  f.email.ok || f.email.problem === 'mixed_script' ? undefined : reason('invalid_email', EMAIL_PROBLEMS[f.email.problem]);

export const rejectDuplicateEmail: Rule = (f) =>
  f.duplicates.length > 0 ? reason('duplicate_email', `also product users ${f.duplicates.join(', ')}`) : undefined;

/** Mixed scripts always block; a skeleton collision blocks non-ASCII addresses and warns on plain ASCII ones. */
export const rejectConfusableEmail: Rule = (f) => {
  if (!f.email.ok) return f.email.problem === 'mixed_script' ? reason('confusable_email', 'mixed writing systems') : undefined;
  if (f.lookalikes.length === 0) return undefined;
  const r = reason('confusable_email', `looks like ${f.lookalikes.join(', ')}`);
  return isAscii(f.display) ? { ...r, severity: 'warn' } : r;
};

export const rejectAmbiguousImsMatch: Rule = (f) => {
  const n = imsCandidates(f).targets.length;
  return n > 1 ? reason('ambiguous_ims_match', `${n} accounts`) : undefined;
};

export const rejectDisabledImsAccount: Rule = (f) => {
  const a = singleTarget(f);
  return a && a.status !== 'active' ? reason('ims_account_disabled', a.status) : undefined;
};

/** Never link on an unverified IMS address: whoever created that account would receive this user (pre-hijacking). */
export const rejectUnverifiedImsAccount: Rule = (f) => {
  const a = singleTarget(f);
  return a && !a.emailVerified ? reason('ims_email_unverified') : undefined;
};

export const rejectDomainClaimedElsewhere: Rule = (f, ix) => {
  if (!f.email.ok) return undefined;
  const domain = f.email.domain;
  if (f.subscription.imsOrg.claimedDomains.includes(domain)) return undefined;
  const a = singleTarget(f);
  const managedElsewhere = a ? a.type !== 'personal' : ix.managedDomains.has(domain);
  return managedElsewhere ? reason('domain_claimed_elsewhere', domain) : undefined;
};

/** The reference IMS's rule: a personal account beside the organization's managed ID coexists (docs/readiness.md). */
export const warnPersonalBesideManaged: Rule = (f) => {
  if (!f.email.ok || imsCandidates(f).personalBeside.length === 0) return undefined;
  return reason('identity_type_conflict', f.email.domain);
};

/** A sign-up that never proved the address reserves nothing (squatting): the planned account wins. */
export const warnPendingSignUp: Rule = (f) => (imsCandidates(f).pending.length > 0 ? reason('ims_signup_pending') : undefined);

export const requireSsoConfigured: Rule = (f) =>
  f.user.sso && !f.subscription.imsOrg.ssoConfigured ? reason('sso_not_configured') : undefined;

// --- Verification: block until the person verifies; the status says "needs_email_verification", not "blocked". ---

export const requireInviteAccepted: Rule = (f) => (f.user.status === 'invited' ? reason('invite_not_accepted') : undefined);
export const requireVerifiedEmail: Rule = (f) =>
  !f.user.emailVerified && f.user.status !== 'invited' ? reason('email_unverified') : undefined;

// --- Warnings: the user can move, but someone should know. ---

export const warnLoginDiffersFromEmail: Rule = (f) => {
  const login = f.user.login.trim();
  if (login === '' || !f.email.ok) return undefined;
  // The common case, decided without the NFC and case folding below (the display form is already trimmed NFC).
  if (login === f.display) return undefined;
  return login.normalize('NFC').toLowerCase() === f.display.toLowerCase() ? undefined : reason('login_differs_from_email', login);
};
/** The date as people read it, in the subscription's zone (the product ends access at that instant). */
export const warnAccessExpires: Rule = (f) =>
  (f.user.expiresAt ? reason('access_expires', formatDayTime(f.user.expiresAt, f.subscription.timeZone)) : undefined);
export const warnPlusOrDotGmail: Rule = (f) => (f.email.ok && isPlusOrDotGmail(f.email) ? reason('plus_or_dot_address') : undefined);
export const noteSeveralSubscriptions: Rule = (f) =>
  f.otherSubscriptions.length > 0 ? reason('in_several_subscriptions', f.otherSubscriptions.join(', ')) : undefined;

/** The pipeline, in stages. Order inside a stage only orders the reasons in the report. */
export const PIPELINE = {
  stays: [keepApiOnlyLocal],
  notMigrated: [skipDeactivated, skipLocked],
  block: [rejectInvalidEmail, rejectDuplicateEmail, rejectConfusableEmail, rejectAmbiguousImsMatch, rejectDisabledImsAccount,
    rejectUnverifiedImsAccount, rejectDomainClaimedElsewhere, requireSsoConfigured],
  verify: [requireInviteAccepted, requireVerifiedEmail],
  warn: [warnPersonalBesideManaged, warnPendingSignUp, warnLoginDiffersFromEmail, warnAccessExpires, warnPlusOrDotGmail, noteSeveralSubscriptions],
} as const satisfies Record<string, readonly Rule[]>;

function singleTarget(f: UserFacts): RuleAccount | undefined {
  const { targets } = imsCandidates(f);
  return targets.length === 1 ? targets[0] : undefined;
}

/**
 * The IMS accounts holding the user's key, by what the plan may do with them:
 * - `targets`: accounts the user could be linked to. In a domain the organization claims, only managed IDs (the
 *   plan creates or links the organization's own account); elsewhere personal accounts, except pending sign-ups.
 * - `personalBeside`: personal accounts in a claimed domain (other than pending sign-ups); they coexist with the
 *   managed ID.
 * - `pending`: personal sign-ups that never verified the address; they reserve nothing (the IMS cancels them).
 */
export function imsCandidates(f: UserFacts): { targets: readonly RuleAccount[]; personalBeside: readonly RuleAccount[]; pending: readonly RuleAccount[] } {
  const accounts = f.imsAccounts;
  if (accounts.length === 0 || !f.email.ok) return { targets: accounts, personalBeside: NONE, pending: NONE };
  // A sign-up nobody confirmed and no organization took in (no product configuration, no admin role): it reserves
  // nothing. An unverified personal account an organization provisioned is not cancelled: it stays a candidate.
  const pending = accounts.filter((a) => a.type === 'personal' && !a.emailVerified && !a.provisioned);
  if (f.subscription.imsOrg.claimedDomains.includes(f.email.domain)) {
    return { targets: accounts.filter((a) => a.type !== 'personal'), personalBeside: accounts.filter((a) => a.type === 'personal' && !pending.includes(a)), pending };
  }
  return { targets: pending.length === 0 ? accounts : accounts.filter((a) => !pending.includes(a)), personalBeside: NONE, pending };
}

const NONE: readonly never[] = Object.freeze([]);
