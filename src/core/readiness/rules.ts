import type { ImsAccount } from '../model.ts';
import { isAscii, isPlusOrDotGmail } from '../email/normalize-email.ts';
import { reason } from './reasons.ts';
import type { Reason } from './report.ts';
import type { RunIndex, UserFacts } from './run-index.ts';

/** One readiness rule: looks at one user, returns the reasons it finds (none = rule passes). */
export type Rule = (f: UserFacts, ix: RunIndex) => Reason | Reason[] | undefined;

// --- Users who do not move at all: the first that matches decides the status and ends the pipeline. ---

export const keepApiOnlyLocal: Rule = (f) => (f.user.apiOnly ? reason('api_only') : undefined);
export const skipDeactivated: Rule = (f) => (f.user.status === 'deactivated' ? reason('deactivated') : undefined);
export const skipLocked: Rule = (f) => (f.user.locked ? reason('locked') : undefined);

// --- Blocking rules: every one that matches is reported, so a person fixes them all in one go. ---

export const rejectInvalidEmail: Rule = (f) => (f.email.ok ? undefined : reason('invalid_email', f.email.problem.replaceAll('_', ' ')));

export const rejectDuplicateEmail: Rule = (f) =>
  f.duplicates.length > 0 ? reason('duplicate_email', `also product users ${f.duplicates.join(', ')}`) : undefined;

/** Mixed scripts always block; a skeleton collision blocks non-ASCII addresses and warns on plain ASCII ones. */
export const rejectConfusableEmail: Rule = (f) => {
  if (!f.email.ok) return undefined;
  if (f.mixedScript) return reason('confusable_email', 'mixed writing systems');
  if (f.lookalikes.length === 0) return undefined;
  const r = reason('confusable_email', `looks like ${f.lookalikes.join(', ')}`);
  return isAscii(f.display) ? { ...r, severity: 'warn' } : r;
};

export const rejectAmbiguousImsMatch: Rule = (f) =>
  f.imsAccounts.length > 1 ? reason('ambiguous_ims_match', `${f.imsAccounts.length} accounts`) : undefined;

export const rejectDisabledImsAccount: Rule = (f) => {
  const a = singleImsAccount(f);
  return a && a.status !== 'active' ? reason('ims_account_disabled', a.status) : undefined;
};

/** Never link on an unverified IMS address: whoever created that account would receive this user (pre-hijacking). */
export const rejectUnverifiedImsAccount: Rule = (f) => {
  const a = singleImsAccount(f);
  return a && !a.emailVerified ? reason('ims_email_unverified') : undefined;
};

export const rejectDomainClaimedElsewhere: Rule = (f, ix) => {
  if (!f.email.ok) return undefined;
  const domain = f.email.domain;
  if (f.subscription.imsOrg.claimedDomains.includes(domain)) return undefined;
  const a = singleImsAccount(f);
  const managedElsewhere = a ? a.type !== 'personal' : ix.managedDomains.has(domain);
  return managedElsewhere ? reason('domain_claimed_elsewhere', domain) : undefined;
};

export const rejectIdentityTypeConflict: Rule = (f) => {
  const a = singleImsAccount(f);
  if (!a || a.type !== 'personal' || !f.email.ok) return undefined;
  return f.subscription.imsOrg.claimedDomains.includes(f.email.domain) ? reason('identity_type_conflict', f.email.domain) : undefined;
};

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
  return login.normalize('NFC').toLowerCase() === f.display.toLowerCase() ? undefined : reason('login_differs_from_email', login);
};
export const warnAccessExpires: Rule = (f) => (f.user.expiresAt ? reason('access_expires', f.user.expiresAt) : undefined);
export const warnPlusOrDotGmail: Rule = (f) => (f.email.ok && isPlusOrDotGmail(f.email) ? reason('plus_or_dot_address') : undefined);
export const noteSeveralSubscriptions: Rule = (f) =>
  f.otherSubscriptions.length > 0 ? reason('in_several_subscriptions', f.otherSubscriptions.join(', ')) : undefined;

/** The pipeline, in stages. Order inside a stage only orders the reasons in the report. */
export const PIPELINE = {
  stays: [keepApiOnlyLocal],
  notMigrated: [skipDeactivated, skipLocked],
  block: [rejectInvalidEmail, rejectDuplicateEmail, rejectConfusableEmail, rejectAmbiguousImsMatch, rejectDisabledImsAccount,
    rejectUnverifiedImsAccount, rejectDomainClaimedElsewhere, rejectIdentityTypeConflict, requireSsoConfigured],
  verify: [requireInviteAccepted, requireVerifiedEmail],
  warn: [warnLoginDiffersFromEmail, warnAccessExpires, warnPlusOrDotGmail, noteSeveralSubscriptions],
} as const satisfies Record<string, readonly Rule[]>;

function singleImsAccount(f: UserFacts): ImsAccount | undefined {
  return f.imsAccounts.length === 1 ? f.imsAccounts[0] : undefined;
}
