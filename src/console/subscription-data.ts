import type { EmailPolicy } from '../core/email/normalize-email.ts';
import type { MigrationPlan } from '../core/migration/plan.ts';
import { planReadiness } from '../core/readiness/plan-readiness.ts';
import type { ReadinessReport } from '../core/readiness/report.ts';
import type { Subscription } from '../core/model.ts';
import { getMigrationSummary, migrationDb, readStoredPlan, type MigrationSummary } from '../engine/migration-repo.ts';
import type { StoreAdapter } from '../store/open-store.ts';

/** A migration row without its (possibly large) plan column. */
export type MigrationRow = MigrationSummary;

export interface PlanFacts {
  plan: MigrationPlan;
  /** Reason codes per product user id (the readiness decision the plan was made from). */
  reasons: Map<string, string[]>;
}

/**
 * Read access to one subscription's migration for the pages. The plan (hundreds of megabytes at a million users)
 * and the readiness report are parsed or computed once per snapshot and kept in a small cache; the Migration Status
 * and User Migration tabs never need them (counters, reason codes and the time zone are read on their own).
 */
export function createSubscriptionData(opts: { store: StoreAdapter; policy?: EmailPolicy }) {
  const db = migrationDb(opts.store.kysely);
  const plans = new Map<string, PlanFacts>();
  const reports = new Map<string, { report: ReadinessReport; subscription: Subscription; snapshotAt: string }>();
  const remember = <V>(cache: Map<string, V>, key: string, value: V) => {
    cache.set(key, value);
    while (cache.size > 4) cache.delete(cache.keys().next().value!);
    return value;
  };

  return {
    async migration(subscriptionId: string): Promise<MigrationRow | undefined> {
      return getMigrationSummary(db, subscriptionId);
    },

    /**
     * The subscription's time zone without parsing the plan: the plan's when it is already parsed, else the zone of
     * the imported subscription the plan was made from (the plan copies it), else UTC.
     */
    async timeZone(subscriptionId: string, m?: MigrationRow): Promise<string> {
      const parsed = m ? plans.get(`${m.subscription_id}\u0000${m.snapshot_digest}`) : undefined;
      if (parsed) return parsed.plan.timeZone;
      const row = await opts.store.kysely.selectFrom('subscriptions').select('data').where('id', '=', subscriptionId).executeTakeFirst();
      const sub = row ? ((typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Subscription) : undefined;
      return sub?.timeZone ?? 'UTC';
    },

    async plan(m: MigrationRow): Promise<PlanFacts> {
      const key = `${m.subscription_id}\u0000${m.snapshot_digest}`;
      const cached = plans.get(key);
      if (cached) return cached;
      const plan = JSON.parse(await readStoredPlan(db, m.subscription_id)) as MigrationPlan;
      return remember(plans, key, { plan, reasons: new Map(plan.users.map((u) => [u.userId, u.reasons])) });
    },

    /** The readiness report of the subscription's newest snapshot, alone (another subscription's users never show). */
    async readiness(subscriptionId: string): Promise<{ report: ReadinessReport; subscription: Subscription; snapshotAt: string } | undefined> {
      const [ref] = await opts.store.listSnapshots(subscriptionId);
      if (!ref) return undefined;
      const cached = reports.get(ref.id);
      if (cached) return cached;
      const snap = await opts.store.loadSnapshot({ snapshotId: ref.id });
      if (!snap) return undefined;
      const report = planReadiness({ subscriptions: [{ subscription: snap.subscription, users: snap.users }], ims: snap.ims, ...(opts.policy ? { policy: opts.policy } : {}) });
      return remember(reports, ref.id, { report, subscription: snap.subscription, snapshotAt: snap.at });
    },

    /** The subscription as last imported (name, time zone, IMS organization), without loading its users. */
    async subscription(subscriptionId: string): Promise<Subscription | undefined> {
      const row = await opts.store.kysely.selectFrom('subscriptions').select('data').where('id', '=', subscriptionId).executeTakeFirst();
      if (!row) return undefined;
      return (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Subscription;
    },
  };
}

export type SubscriptionData = ReturnType<typeof createSubscriptionData>;
