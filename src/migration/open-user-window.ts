import { dialectOf } from '../ims/directory/json-rows.ts';
import type { EnginePorts } from './engine-ports.ts';
import { MigrationError } from './migration-error.ts';
import { transitionSubscription, type MigrationDb, type SubscriptionMigration } from './migration-repo.ts';

/**
 * Opens the user phase (scheduled -> in progress) and applies the window: once it expired, users move on demand
 * only and the scheduler is refused. The same rule as the per-user path's runUserPhase.
 */
export async function openUserWindow(db: MigrationDb, m: SubscriptionMigration, ports: Pick<EnginePorts, 'now' | 'actor'>, scheduledOnly: boolean): Promise<SubscriptionMigration> {
  const at = ports.now().toISOString();
  if (m.state === 'not_started' || m.state === 'product_linked' || m.state === 'rolled_back') {
    throw new MigrationError('transition_refused', `subscription ${m.subscription_id} is ${m.state}: schedule the user migration first (rehome schedule)`);
  }
  if (m.state === 'confirmed' || m.state === 'support_migrated' || m.state === 'done') {
    throw new MigrationError('transition_refused', `subscription ${m.subscription_id} is already ${m.state}`);
  }
  if (scheduledOnly && m.starts_at && at < m.starts_at) return m;
  return db.transaction().execute(async (tx) => {
    // Workers start together: the row lock (PostgreSQL) makes the second see the first's transition, not repeat it.
    let q = tx.selectFrom('mig_subscriptions').selectAll().where('subscription_id', '=', m.subscription_id);
    if (dialectOf(tx) === 'postgres') q = q.forUpdate();
    let cur = ((await q.executeTakeFirst()) ?? m) as SubscriptionMigration;
    if (cur.state === 'users_scheduled') cur = await transitionSubscription(tx, cur, 'start_users', { at, actor: ports.actor });
    if (cur.window_expires_at && at >= cur.window_expires_at && (cur.state === 'users_in_progress' || cur.state === 'awaiting_confirmation')) {
      cur = await transitionSubscription(tx, cur, 'expire', { at, actor: ports.actor, details: { expiredAt: cur.window_expires_at } });
    }
    if (scheduledOnly && cur.state === 'expired') {
      throw new MigrationError('window_expired', `the migration window of ${cur.subscription_id} expired on ${cur.window_expires_at}: scheduled migrations no longer run; migrate users on demand or extend the window`);
    }
    return cur;
  });
}
