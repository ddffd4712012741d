import { imsCandidates, PIPELINE, type Rule } from './rules.ts';
import { reason } from './reasons.ts';
import type { ImsMatch, Reason, ReadinessStatus, UserReadiness } from './report.ts';
import type { RunIndex, UserFacts } from './run-index.ts';

/** One user's status, reasons and match: the pipeline of rules.ts in its stages. Reads `f`, keeps nothing of it. */
export function decideUser(f: UserFacts, ix: RunIndex): UserReadiness {
  let status: ReadinessStatus;
  let reasons = runRules(PIPELINE.stays, f, ix);
  let match: ImsMatch = NO_MATCH;
  if (reasons.length > 0) status = 'stays_local';
  else if ((reasons = runRules(PIPELINE.notMigrated, f, ix)).length > 0) status = 'not_migrated';
  else {
    const blocking = runRules(PIPELINE.block, f, ix);
    const verification = runRules(PIPELINE.verify, f, ix);
    status = blocking.some((r) => r.severity === 'block') ? 'blocked' : verification.length > 0 ? 'needs_email_verification' : 'eligible';
    reasons = concat(concat(blocking, verification), runRules(PIPELINE.warn, f, ix));
    if (f.admin && status !== 'eligible') reasons = [...reasons, reason('admin_not_ready')];
    if (status !== 'blocked') match = chooseMatch(f);
  }
  return {
    id: f.user.id,
    subscriptionId: f.subscription.id,
    email: f.user.email,
    normalizedEmail: f.email.ok ? f.email.address : null,
    status,
    admin: f.admin,
    reasons,
    match,
    otherSubscriptions: f.otherSubscriptions as string[],
  };
}

const NO_MATCH: ImsMatch = Object.freeze({ kind: 'none' });
const NEW_ACCOUNT: ImsMatch = Object.freeze({ kind: 'new' });
// Frozen: a consumer that pushed into one user's reasons would otherwise change every user's.
const NO_REASONS = Object.freeze([]) as unknown as Reason[];

function concat(a: Reason[], b: Reason[]): Reason[] {
  return a.length === 0 ? b : b.length === 0 ? a : [...a, ...b];
}

function runRules(rules: readonly Rule[], f: UserFacts, ix: RunIndex): Reason[] {
  let out: Reason[] | undefined;
  for (const rule of rules) {
    const r = rule(f, ix);
    if (r === undefined) continue;
    out ??= [];
    if (Array.isArray(r)) out.push(...r);
    else out.push(r);
  }
  // A fresh empty array per user would be most of the garbage of a million eligible users.
  return out ?? NO_REASONS;
}

/**
 * Link only to the one verified, active IMS account the plan may take (rules.ts `imsCandidates`: the organization's
 * managed ID in a claimed domain, a personal account elsewhere); no candidate means a new account.
 */
function chooseMatch(f: UserFacts): ImsMatch {
  const { targets } = imsCandidates(f);
  if (targets.length === 0) return NEW_ACCOUNT;
  const [a] = targets;
  if (targets.length === 1 && a && a.emailVerified && a.status === 'active') return { kind: 'existing', accountId: a.id, type: a.type };
  return NO_MATCH;
}
