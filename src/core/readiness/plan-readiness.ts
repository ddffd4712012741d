import type { ImsDirectory, SubscriptionSnapshot } from '../model.ts';
import { DEFAULT_EMAIL_POLICY, type EmailPolicy } from '../email/normalize-email.ts';
import { buildFacts, buildIndex, type RunIndex, type UserFacts } from './run-index.ts';
import { imsAccounts, PIPELINE, type Rule } from './rules.ts';
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
  users.sort(compareForReport(input.subscriptions.map((s) => s.subscription.id)));
  return { version: 1, summary: summarize(users, input.subscriptions), users };
}

export function assessUser(f: UserFacts, ix: RunIndex): UserReadiness {
  const base = {
    id: f.user.id,
    subscriptionId: f.subscription.id,
    email: f.user.email,
    normalizedEmail: f.email.ok ? f.email.address : null,
    admin: f.admin,
    otherSubscriptions: otherSubscriptions(f, ix),
  };
  const stays = runRules(PIPELINE.stays, f, ix);
  if (stays.length > 0) return { ...base, status: 'stays_local', reasons: stays, match: { kind: 'none' } };
  const notMigrated = runRules(PIPELINE.notMigrated, f, ix);
  if (notMigrated.length > 0) return { ...base, status: 'not_migrated', reasons: notMigrated, match: { kind: 'none' } };

  const blocking = runRules(PIPELINE.block, f, ix);
  const verification = runRules(PIPELINE.verify, f, ix);
  const warnings = runRules(PIPELINE.warn, f, ix);
  const status: ReadinessStatus = blocking.some((r) => r.severity === 'block')
    ? 'blocked'
    : verification.length > 0 ? 'needs_email_verification' : 'eligible';
  const reasons = [...blocking, ...verification, ...warnings];
  if (f.admin && status !== 'eligible') reasons.push(reason('admin_not_ready'));
  return { ...base, status, reasons, match: status === 'blocked' ? { kind: 'none' } : chooseMatch(f, ix) };
}

function runRules(rules: readonly Rule[], f: UserFacts, ix: RunIndex): Reason[] {
  const out: Reason[] = [];
  for (const rule of rules) {
    const r = rule(f, ix);
    if (r === undefined) continue;
    if (Array.isArray(r)) out.push(...r);
    else out.push(r);
  }
  return out;
}

/** Link only to the one verified, active IMS account with the address; otherwise a new account is created. */
function chooseMatch(f: UserFacts, ix: RunIndex): ImsMatch {
  const accounts = imsAccounts(f, ix);
  if (accounts.length === 0) return { kind: 'new' };
  const [a] = accounts;
  if (accounts.length === 1 && a && a.emailVerified && a.status === 'active') return { kind: 'existing', accountId: a.id, type: a.type };
  return { kind: 'none' };
}

function otherSubscriptions(f: UserFacts, ix: RunIndex): string[] {
  if (!f.email.ok || f.user.apiOnly) return [];
  const subs = ix.subscriptionsByAddress.get(f.email.address);
  return subs && subs.size > 1 ? [...subs].filter((s) => s !== f.subscription.id) : [];
}

const collator = new Intl.Collator('en', { numeric: true });

/** Admins first (they migrate first), then subscriptions in input order, then product user id. */
function compareForReport(subscriptionOrder: string[]): (a: UserReadiness, b: UserReadiness) => number {
  const rank = new Map(subscriptionOrder.map((id, i) => [id, i]));
  return (a, b) =>
    Number(b.admin) - Number(a.admin) ||
    (rank.get(a.subscriptionId) ?? 0) - (rank.get(b.subscriptionId) ?? 0) ||
    collator.compare(a.id, b.id);
}
