import type { ImsDirectory, SubscriptionSnapshot } from '../model.ts';
import { DEFAULT_EMAIL_POLICY, type EmailPolicy } from '../email/normalize-email.ts';
import { buildFacts, buildIndex, type RunIndex, type UserFacts } from './run-index.ts';
import { imsCandidates, PIPELINE, type Rule } from './rules.ts';
import { reason } from './reasons.ts';
import { summarize } from './summary.ts';
import type { ImsMatch, Reason, ReadinessReport, ReadinessStatus, UserReadiness } from './report.ts';

export interface ReadinessInput {
  /** One or more subscriptions (e.g. production and sandbox); one person in several is one IMS account. */
  subscriptions: SubscriptionSnapshot[];
  ims: ImsDirectory;
  policy?: EmailPolicy;
}

/** Pure: decides every product user's readiness. Same input, same report, byte for byte. */
export function planReadiness(input: ReadinessInput): ReadinessReport {
  const policy = input.policy ?? DEFAULT_EMAIL_POLICY;
  const domainCache = new Map<string, string>();
  const facts = buildFacts(input.subscriptions, policy, domainCache);
  const ix = buildIndex(facts, input.ims, policy, domainCache);
  const users = facts.map((f) => assessUser(f, ix));
  const summary = summarize(users, facts.map((f) => f.user.emailVerified), input.subscriptions);
  users.sort(compareForReport(input.subscriptions.map((s) => s.subscription.id)));
  return { version: 1, summary, users };
}

export function assessUser(f: UserFacts, ix: RunIndex): UserReadiness {
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
    if (f.admin && status !== 'eligible') reasons.push(reason('admin_not_ready'));
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
  return out ?? [];
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

/** Admins first (they migrate first), then subscriptions in input order, then product user id (numeric ids numerically). */
function compareForReport(subscriptionOrder: string[]): (a: UserReadiness, b: UserReadiness) => number {
  const rank = new Map(subscriptionOrder.map((id, i) => [id, i]));
  return (a, b) =>
    Number(b.admin) - Number(a.admin) ||
    (rank.get(a.subscriptionId) ?? 0) - (rank.get(b.subscriptionId) ?? 0) ||
    compareIds(a.id, b.id);
}

const DIGITS = /^\d+$/;

function compareIds(a: string, b: string): number {
  if (a.length !== b.length && DIGITS.test(a) && DIGITS.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
