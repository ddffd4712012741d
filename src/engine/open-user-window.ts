import { dialectOf } from '../store/bulk-sql.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import { MigrationError } from './migration-error.ts';
import { requireMigrationSummary, transitionSubscription, type MigrationDb, type MigrationSummary } from './migration-repo.ts';

/**
 * Opens the user phase (scheduled -> in progress) and applies the window: once it expired, users move on demand
 * only and the scheduler is refused. The rule of every run of the user phase (user-phase.ts).
 */
export async function openUserWindow(db: MigrationDb, m: MigrationSummary, ports: Pick<EnginePorts, 'now' | 'actor'>, scheduledOnly: boolean): Promise<MigrationSummary> {
  const at = ports.now().toISOString();
  if (m.state === 'not_started' || m.state === 'product_linked' || m.state === 'rolled_back') {
    throw new MigrationError('transition_refused', `subscription ${m.subscription_id} is ${m.state}: schedule the user migration first (rehome schedule)`);
  }
  if (m.state === 'confirmed' || m.state === 'support_migrated' || m.state === 'done') {
    throw new MigrationError('transition_refused', `subscription ${m.subscription_id} is already ${m.state}`);
  }
  if (scheduledOnly && m.starts_at && at < m.starts_at) return m;
  const cur = await db.transaction().execute(async (tx) => {
    // Workers start together: the row lock (PostgreSQL) makes the second see the first's transition, not repeat it.
    // The row is read without its plan (hundreds of MB at a million users; every queued batch job opens the window).
    if (dialectOf(tx) === 'postgres') await tx.selectFrom('mig_subscriptions').select('subscription_id').where('subscription_id', '=', m.subscription_id).forUpdate().execute();
    let locked = await requireMigrationSummary(tx, m.subscription_id);
    if (locked.state === 'users_scheduled') locked = await transitionSubscription(tx, locked, 'start_users', { at, actor: ports.actor });
    if (locked.window_expires_at && at >= locked.window_expires_at && (locked.state === 'users_in_progress' || locked.state === 'awaiting_confirmation')) {
      locked = await transitionSubscription(tx, locked, 'expire', { at, actor: ports.actor, details: { expiredAt: locked.window_expires_at } });
    }
    return locked;
  });
  // Refused after the commit: the expiry is a fact to record (and audit) even though nothing scheduled runs now.
  if (scheduledOnly && cur.state === 'expired') {
    throw new MigrationError('window_expired', `the migration window of ${cur.subscription_id} expired on ${cur.window_expires_at}: scheduled migrations no longer run; migrate users on demand or extend the window`);
  }
  return cur;
}
