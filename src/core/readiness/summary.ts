import type { Subscription, SubscriptionSnapshot } from '../model.ts';
import { READINESS_STATUSES, type ReasonCode, type ReadinessStatus, type ReadinessSummary, type UserReadiness } from './report.ts';

/** The summary, counted one decision at a time (in input order: `byReason` lists codes in order of first use). */
export interface SummaryBuilder {
  /** `emailVerified`: whether the user verified their address in the product. */
  add(u: UserReadiness, emailVerified: boolean): void;
  finish(): ReadinessSummary;
}

export function createSummaryBuilder(subscriptions: readonly Pick<Subscription, 'id' | 'name'>[]): SummaryBuilder {
  const byStatus = Object.fromEntries(READINESS_STATUSES.map((s) => [s, 0])) as Record<ReadinessStatus, number>;
  const byReason: Partial<Record<ReasonCode, number>> = {};
  const perSub = new Map(subscriptions.map((s) => [s.id, { id: s.id, name: s.name, users: 0, blocked: 0, adminsReady: true }]));
  const withAdmins = new Set<string>();
  let total = 0;
  let admins = 0;
  let warnings = 0;
  let verified = 0;
  let required = 0;
  const adminsNotReady: string[] = [];
  return {
    add(u, emailVerified) {
      total++;
      byStatus[u.status]++;
      for (const r of u.reasons) {
        byReason[r.code] = (byReason[r.code] ?? 0) + 1;
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
        withAdmins.add(u.subscriptionId);
        if (u.status !== 'eligible') {
          adminsNotReady.push(u.id);
          if (sub) sub.adminsReady = false;
        }
      }
    },
    finish() {
      // A subscription with no admin among its users cannot migrate admins first: not ready.
      for (const sub of perSub.values()) if (!withAdmins.has(sub.id)) sub.adminsReady = false;
      const subs = [...perSub.values()];
      return {
        total,
        byStatus,
        byReason,
        admins,
        adminsReady: subs.every((s) => s.adminsReady),
        adminsNotReady,
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
  users.forEach((u, i) => builder.add(u, emailVerified[i] ?? false));
  return builder.finish();
}
