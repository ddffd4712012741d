import type { Kysely } from 'kysely';
import { auditIn, migrationDb, type MigrationDb, type MigrationSummary } from '../migration-repo.ts';
import type { StatusTables } from '../status-schema.ts';
import { CLAIMABLE_STATES } from '../leases.ts';
import type { WorkerTables } from './worker-schema.ts';

/** Subscriptions whose scheduled work is due now: the start date has come, or users with their own `scheduled_for`. */
export async function findDueSubscriptions(kysely: Kysely<any>, now: string): Promise<{ run: MigrationSummary[]; expired: MigrationSummary[] }> {
  const db = migrationDb(kysely);
  // The plan-less copy of the migrations (status-schema.ts): a poll every few seconds must not read the plans.
  const subs = (await (kysely as Kysely<StatusTables>).selectFrom('mig_subscription_status').selectAll()
    .where('state', 'in', ['users_scheduled', 'users_in_progress', 'awaiting_confirmation', 'expired']).execute()) as MigrationSummary[];
  const run: MigrationSummary[] = [];
  const expired: MigrationSummary[] = [];
  for (const m of subs) {
    if (!(await hasDueUsers(db, m, now))) continue;
    (m.state === 'expired' || (m.window_expires_at !== null && m.window_expires_at <= now) ? expired : run).push(m);
  }
  return { run, expired };
}

async function hasDueUsers(db: MigrationDb, m: MigrationSummary, now: string): Promise<boolean> {
  const row = await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', m.subscription_id).where('state', 'in', [...CLAIMABLE_STATES])
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .where((eb) => eb.or([eb('scheduled_for', '<=', now), ...(m.starts_at !== null && m.starts_at <= now ? [eb('scheduled_for', 'is', null)] : [])]))
    .limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * A scheduled run found the window expired: record why nothing ran (`schedule:refused`, code `window_expired`),
 * once per expiry, so an admin sees it in the audit log and `rehome status` instead of users silently waiting.
 */
export async function recordScheduledRefusal(db: MigrationDb, subscriptionId: string, at: string, actor: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const w = tx as unknown as Kysely<WorkerTables & { mig_subscriptions: { window_expires_at: string | null } }>;
    const r = await w.updateTable('mig_subscriptions').set({ scheduled_refused_at: at }).where('subscription_id', '=', subscriptionId)
      .where((eb) => eb.or([eb('scheduled_refused_at', 'is', null), eb('scheduled_refused_at', '<', eb.ref('window_expires_at'))])).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    const m = await tx.selectFrom('mig_subscriptions').select(['window_expires_at', 'state']).where('subscription_id', '=', subscriptionId).executeTakeFirstOrThrow();
    await auditIn(tx, { at, actor, action: 'schedule:refused', subscriptionId, details: { code: 'window_expired', windowExpiresAt: m.window_expires_at, state: m.state } });
    return true;
  });
}
