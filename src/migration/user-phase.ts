import { ACCOUNTED_STATES } from '../core/migration/states.ts';
import type { EnginePorts } from './engine-ports.ts';
import { MigrationError } from './migration-error.ts';
import { migrateUser } from './migrate-user.ts';
import { countUsersByState, migrationDb, requireMigration, transitionSubscription, type MigrationDb, type SubscriptionMigration } from './migration-repo.ts';

export interface UserPhaseOptions {
  subscriptionId: string;
  /** Specific users (Migrate Now); default every eligible user (Migrate All). Admins always go first. */
  userIds?: string[];
  /** Users migrating at once. */
  concurrency?: number;
  /** Run only users whose scheduled time has come (the scheduler), refused once the window expired. */
  scheduledOnly?: boolean;
  /** How often a throttled user is retried before it is left `failed` (retryable). */
  maxThrottleRetries?: number;
  signal?: AbortSignal;
}

export interface UserPhaseResult {
  attempted: number;
  migrated: number;
  failed: number;
  state: SubscriptionMigration['state'];
}

/**
 * Runs the user phase: users left `migrating` by a crash first (they are reconciled), then admins, then everyone
 * else, with bounded concurrency and a shared pause when the IdP throttles. Failures are per user and never stop
 * the others. When every user is accounted for, the migration awaits the admin's confirmation.
 */
export async function runUserPhase(opts: UserPhaseOptions, ports: EnginePorts): Promise<UserPhaseResult> {
  const db = migrationDb(ports.db);
  let m = await requireMigration(db, opts.subscriptionId);
  m = await openWindow(db, m, ports, Boolean(opts.scheduledOnly));
  ports.onEvent?.({ type: 'phase:started', phase: 'users', subscriptionId: m.subscription_id });

  const result: UserPhaseResult = { attempted: 0, migrated: 0, failed: 0, state: m.state };
  for (const admins of [true, false]) {
    const ids = await pendingUsers(db, m.subscription_id, admins, opts, ports.now().toISOString());
    await runPool(ids, opts.concurrency ?? 8, opts.signal, async (userId) => {
      let outcome = await migrateUser(m, userId, ports);
      for (let retry = 0; outcome.status === 'failed' && outcome.code === 'idp_throttled' && retry < (opts.maxThrottleRetries ?? 5); retry++) {
        const waitMs = outcome.retryAfterMs ?? Math.min(30_000, 500 * 2 ** retry);
        ports.onEvent?.({ type: 'idp:throttled', waitMs });
        await (ports.sleep ?? sleep)(waitMs);
        outcome = await migrateUser(m, userId, ports);
      }
      if (outcome.status === 'skipped') return;
      result.attempted++;
      if (outcome.status === 'migrated') {
        result.migrated++;
        ports.onEvent?.({ type: 'user:migrated', subscriptionId: m.subscription_id, userId });
      } else {
        result.failed++;
        ports.onEvent?.({ type: 'user:failed', subscriptionId: m.subscription_id, userId, code: outcome.code });
      }
      ports.onEvent?.({ type: 'progress', subscriptionId: m.subscription_id, done: result.migrated, failed: result.failed, total: ids.length });
    });
  }
  m = await settle(db, m.subscription_id, ports);
  result.state = m.state;
  return result;
}

/** Starts the phase (scheduled -> in progress) and applies the window: expired means on-demand only. */
async function openWindow(db: MigrationDb, m: SubscriptionMigration, ports: EnginePorts, scheduledOnly: boolean): Promise<SubscriptionMigration> {
  const at = ports.now().toISOString();
  if (m.state === 'not_started' || m.state === 'product_linked' || m.state === 'rolled_back') {
    throw new MigrationError('transition_refused', `subscription ${m.subscription_id} is ${m.state}: schedule the user migration first (rehome schedule)`);
  }
  if (m.state === 'confirmed' || m.state === 'support_migrated' || m.state === 'done') {
    throw new MigrationError('transition_refused', `subscription ${m.subscription_id} is already ${m.state}`);
  }
  if (scheduledOnly && m.starts_at && at < m.starts_at) return m;
  return db.transaction().execute(async (tx) => {
    let cur = m;
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

async function pendingUsers(db: MigrationDb, subscriptionId: string, admins: boolean, opts: UserPhaseOptions, now: string): Promise<string[]> {
  let q = db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', subscriptionId).where('admin', '=', admins ? 1 : 0);
  if (opts.userIds) {
    q = q.where('user_id', 'in', opts.userIds.length > 0 ? opts.userIds : ['\u0000']).where('state', 'in', ['eligible', 'migrating', 'failed']);
  } else {
    q = q.where('state', 'in', ['eligible', 'migrating']);
  }
  if (opts.scheduledOnly) q = q.where('scheduled_for', '<=', now);
  const rows = await q.orderBy('state', 'desc').orderBy('user_id').execute();
  return rows.map((r) => r.user_id);
}

/** Moves the subscription to awaiting_confirmation when every user is accounted for (or back when one reopened). */
export async function settle(db: MigrationDb, subscriptionId: string, ports: EnginePorts): Promise<SubscriptionMigration> {
  const counts = await countUsersByState(db, subscriptionId);
  const open = Object.entries(counts).filter(([s]) => !ACCOUNTED_STATES.has(s as never)).reduce((n, [, c]) => n + (c ?? 0), 0);
  return db.transaction().execute(async (tx) => {
    const m = await requireMigration(tx, subscriptionId);
    const at = ports.now().toISOString();
    if (open === 0 && (m.state === 'users_in_progress' || m.state === 'expired')) return transitionSubscription(tx, m, 'users_done', { at, actor: ports.actor, details: { counts } });
    if (open > 0 && m.state === 'awaiting_confirmation') return transitionSubscription(tx, m, 'users_reopened', { at, actor: ports.actor, details: { open } });
    return m;
  });
}

async function runPool<T>(items: T[], concurrency: number, signal: AbortSignal | undefined, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

