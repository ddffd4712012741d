import type { Subscription, SubscriptionSnapshot } from '../model.ts';
import { READINESS_STATUSES, type ReasonCode, type ReadinessStatus, type ReadinessSummary, type UserReadiness } from './report.ts';

/**
 * The summary, counted one decision at a time, in any order: `input` is the user's position in the input, so that
 * `byReason` lists codes in order of first use and `adminsNotReady` admins in input order, as when counted in input
 * order.
 */
export interface SummaryBuilder {
  /** `emailVerified`: whether the user verified their address in the product; `name`: an admin's name, if known. */
  add(u: UserReadiness, emailVerified: boolean, input: number, name?: string): void;
  finish(): ReadinessSummary;
}

export function createSummaryBuilder(subscriptions: readonly Pick<Subscription, 'id' | 'name'>[]): SummaryBuilder {
  const byStatus = Object.fromEntries(READINESS_STATUSES.map((s) => [s, 0])) as Record<ReadinessStatus, number>;
  const reasonCounts = new Map<ReasonCode, number>();
  /** Where each code was first seen: input position * 64 + its place among the user's reasons. */
  const firstSeen = new Map<ReasonCode, number>();
  const perSub = new Map(subscriptions.map((s) => [s.id, { id: s.id, name: s.name, users: 0, blocked: 0, adminsReady: true }]));
  const withAdmins = new Set<string>();
  let total = 0;
  let admins = 0;
  let warnings = 0;
  let verified = 0;
  let required = 0;
  const adminsNotReady: { input: number; id: string }[] = [];
  const adminNames: { input: number; id: string; name: string }[] = [];
  return {
    add(u, emailVerified, input, name) {
      total++;
      byStatus[u.status]++;
      for (let k = 0; k < u.reasons.length; k++) {
        const r = u.reasons[k]!;
        const n = reasonCounts.get(r.code);
        reasonCounts.set(r.code, (n ?? 0) + 1);
        const at = input * 64 + k;
        if (n === undefined || at < firstSeen.get(r.code)!) firstSeen.set(r.code, at);
        if (r.severity === 'warn') warnings++;
      }
      const sub = perSub.get(u.subscriptionId);
      if (sub) {
        sub.users++;
        if (u.status === 'blocked') sub.blocked++;
      }
      if (u.status !== 'stays_local' && u.status !== 'not_migrated') {
        required++;
        if (emailVerified && u.status !== 'needs_email_verification') verified++;
      }
      if (u.admin) {
        admins++;
        if (name) adminNames.push({ input, id: u.id, name });
        withAdmins.add(u.subscriptionId);
        if (u.status !== 'eligible') {
          adminsNotReady.push({ input, id: u.id });
          if (sub) sub.adminsReady = false;
        }
      }
    },
    finish() {
      // A subscription with no admin among its users cannot migrate admins first: not ready.
      for (const sub of perSub.values()) if (!withAdmins.has(sub.id)) sub.adminsReady = false;
      const subs = [...perSub.values()];
      const byReason: Partial<Record<ReasonCode, number>> = {};
      for (const code of [...firstSeen.keys()].sort((a, b) => firstSeen.get(a)! - firstSeen.get(b)!)) byReason[code] = reasonCounts.get(code)!;
      return {
        total,
        byStatus,
        byReason,
        admins,
        adminsReady: subs.every((s) => s.adminsReady),
        adminsNotReady: adminsNotReady.sort((a, b) => a.input - b.input).map((a) => a.id),
        adminNames: Object.fromEntries(adminNames.sort((a, b) => a.input - b.input).map((a) => [a.id, a.name])),
        emailVerification: { verified, required },
        subscriptions: subs,
        warnings,
      };
    },
  };
}

/** `emailVerified[i]` is whether users[i] verified their address in the product (same order as `users`). */
export function summarize(users: UserReadiness[], emailVerified: boolean[], snapshots: SubscriptionSnapshot[]): ReadinessSummary {
  const builder = createSummaryBuilder(snapshots.map((s) => s.subscription));
  users.forEach((u, i) => builder.add(u, emailVerified[i] ?? false, i));
  return builder.finish();
}
