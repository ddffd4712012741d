import type { SubscriptionSnapshot } from '../model.ts';
import { READINESS_STATUSES, type ReadinessStatus, type ReadinessSummary, type UserReadiness } from './report.ts';

/** `emailVerified[i]` is whether users[i] verified their address in the product (same order as `users`). */
export function summarize(users: UserReadiness[], emailVerified: boolean[], snapshots: SubscriptionSnapshot[]): ReadinessSummary {
  const byStatus = Object.fromEntries(READINESS_STATUSES.map((s) => [s, 0])) as Record<ReadinessStatus, number>;
  const byReason: ReadinessSummary['byReason'] = {};
  const perSub = new Map(snapshots.map((s) => [s.subscription.id, { id: s.subscription.id, name: s.subscription.name, users: 0, blocked: 0, adminsReady: true }]));

  let admins = 0;
  let warnings = 0;
  let verified = 0;
  let required = 0;
  const adminsNotReady: string[] = [];
  for (const [i, u] of users.entries()) {
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
      if (emailVerified[i] && u.status !== 'needs_email_verification') verified++;
    }
    if (u.admin) {
      admins++;
      if (u.status !== 'eligible') {
        adminsNotReady.push(u.id);
        if (sub) sub.adminsReady = false;
      }
    }
  }
  // A subscription with no admin among its users cannot migrate admins first: not ready.
  const withAdmins = new Set(users.filter((u) => u.admin).map((u) => u.subscriptionId));
  for (const sub of perSub.values()) if (!withAdmins.has(sub.id)) sub.adminsReady = false;
  const subscriptions = [...perSub.values()];
  return {
    total: users.length,
    byStatus,
    byReason,
    admins,
    adminsReady: subscriptions.every((s) => s.adminsReady),
    adminsNotReady,
    emailVerification: { verified, required },
    subscriptions,
    warnings,
  };
}
