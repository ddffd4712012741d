import { ACCOUNTED_STATES } from '../core/migration/states.ts';
import { openUserWindow } from './open-user-window.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import { migrateUser } from './migrate-user.ts';
import { CLAIMABLE_STATES, claimUsers, isPostgres, releaseLeases, type ClaimQuery } from './claim-users.ts';
import { registerRunner, type Runner } from './workers/runner-registry.ts';
import { countUsersByState, migrationDb, requireMigration, transitionSubscription, type MigrationDb, type MigrationTx, type SubscriptionMigration } from './migration-repo.ts';

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
  /** Only admins (true) or only the others (false); default admins, then the others. */
  admins?: boolean;
  /** Also start `failed` users; default: when `userIds` names them (Migrate Now), not for Migrate All or a batch. */
  includeFailed?: boolean;
  /**
   * The runner holding this process's leases (a `rehome worker`); default: this call registers one for its own
   * duration, which on SQLite refuses a second process (`runner_busy`).
   */
  runner?: Runner;
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
 *
 * Users are taken by lease (claim-users.ts), a chunk at a time, so several processes on PostgreSQL share a
 * subscription without ever running one user twice at once, and a killed process's users are taken over.
 */
export async function runUserPhase(opts: UserPhaseOptions, ports: EnginePorts): Promise<UserPhaseResult> {
  const db = migrationDb(ports.db);
  let m = await requireMigration(db, opts.subscriptionId);
  m = await openUserWindow(db, m, ports, Boolean(opts.scheduledOnly));
  ports.onEvent?.({ type: 'phase:started', phase: 'users', subscriptionId: m.subscription_id });

  const owned = opts.runner ? undefined : await registerRunner(ports.db, { actor: ports.actor });
  const runner = (opts.runner ?? owned)!;
  try {
    const result: UserPhaseResult = { attempted: 0, migrated: 0, failed: 0, state: m.state };
    const concurrency = Math.max(1, opts.concurrency ?? 8);
    const query = (admins: boolean | undefined): Omit<ClaimQuery, 'limit' | 'nowMs'> => ({
      subscriptionId: m.subscription_id, owner: runner.id, leaseMs: runner.leaseMs,
      ...(admins === undefined ? {} : { admins }),
      ...(opts.userIds ? { userIds: opts.userIds } : {}),
      includeFailed: opts.includeFailed ?? Boolean(opts.userIds),
      ...(opts.scheduledOnly ? { dueAt: { now: ports.now().toISOString(), startsAt: m.starts_at } } : {}),
    });
    const total = await countClaimable(db, query(opts.admins));
    const pause = sharedPause(ports);
    for (const admins of opts.admins === undefined ? [true, false] : [opts.admins]) {
      const q = query(admins);
      const claim = () => claimUsers(db, { ...q, limit: Math.max(64, concurrency * 8), nowMs: runner.clock() });
      const unstarted = await runClaimed(claim, concurrency, opts.signal, async (userId) => {
        await pause.over();
        let outcome = await migrateUser(m, userId, ports, { lease: runner });
        for (let retry = 0; outcome.status === 'failed' && outcome.code === 'idp_throttled' && retry < (opts.maxThrottleRetries ?? 5); retry++) {
          await pause.start(outcome.retryAfterMs ?? Math.min(30_000, 500 * 2 ** retry));
          outcome = await migrateUser(m, userId, ports, { lease: runner });
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
        ports.onEvent?.({ type: 'progress', subscriptionId: m.subscription_id, done: result.migrated, failed: result.failed, total });
      });
      if (unstarted.length > 0) await releaseLeases(db, runner.id, unstarted);
    }
    m = await settle(db, m.subscription_id, ports);
    result.state = m.state;
    return result;
  } finally {
    await owned?.[Symbol.asyncDispose]();
  }
}

/**
 * One pause for every lane: a 429 (Retry-After) is about this client, not about one user, so while one lane waits
 * the others start nobody new. A throttle during a pause joins it rather than stacking another.
 */
function sharedPause(ports: EnginePorts): { start(waitMs: number): Promise<void>; over(): Promise<void> } {
  let current: Promise<void> | undefined;
  return {
    start(waitMs) {
      if (current) return current;
      ports.onEvent?.({ type: 'idp:throttled', waitMs });
      current = (ports.sleep ?? sleep)(waitMs).finally(() => { current = undefined; });
      return current;
    },
    async over() {
      while (current) await current;
    },
  };
}

/** How many users a claim could take now (for the progress bar; leases ignored). */
async function countClaimable(db: MigrationDb, q: Omit<ClaimQuery, 'limit' | 'nowMs'>): Promise<number> {
  const states: string[] = q.includeFailed ? [...CLAIMABLE_STATES, 'failed'] : [...CLAIMABLE_STATES];
  let c = db.selectFrom('mig_users').select((eb) => eb.fn.countAll<number>().as('n')).where('subscription_id', '=', q.subscriptionId).where('state', 'in', states);
  if (q.admins !== undefined) c = c.where('admin', '=', q.admins ? 1 : 0);
  if (q.userIds) c = c.where('user_id', 'in', q.userIds.length > 0 ? [...q.userIds] : ['\u0000']);
  if (q.dueAt) {
    const { now, startsAt } = q.dueAt;
    c = c.where((eb) => eb.or([eb('scheduled_for', '<=', now), ...(startsAt !== null && startsAt <= now ? [eb('scheduled_for', 'is', null)] : [])]));
  }
  return Number((await c.executeTakeFirstOrThrow()).n);
}

/** Moves the subscription to awaiting_confirmation when every user is accounted for (or back when one reopened). */
export async function settle(db: MigrationDb, subscriptionId: string, ports: EnginePorts): Promise<SubscriptionMigration> {
  const counts = await countUsersByState(db, subscriptionId);
  const open = Object.entries(counts).filter(([s]) => !ACCOUNTED_STATES.has(s as never)).reduce((n, [, c]) => n + (c ?? 0), 0);
  return db.transaction().execute(async (tx) => {
    const m = await lockMigration(tx, subscriptionId, isPostgres(ports.db));
    const at = ports.now().toISOString();
    if (open === 0 && (m.state === 'users_in_progress' || m.state === 'expired')) return transitionSubscription(tx, m, 'users_done', { at, actor: ports.actor, details: { counts } });
    if (open > 0 && m.state === 'awaiting_confirmation') return transitionSubscription(tx, m, 'users_reopened', { at, actor: ports.actor, details: { open } });
    return m;
  });
}

/**
 * Lanes pull users from a shared buffer; when it runs dry one lane claims the next chunk (the others wait for that
 * claim rather than claiming more), and the run ends when a claim comes back empty. Returns the users claimed but
 * not started (the signal fired), whose leases the caller gives back.
 */
async function runClaimed(claim: () => Promise<string[]>, concurrency: number, signal: AbortSignal | undefined, work: (userId: string) => Promise<void>): Promise<string[]> {
  const buffer: string[] = [];
  let exhausted = false;
  let refill: Promise<void> | undefined;
  const next = async (): Promise<string | undefined> => {
    while (buffer.length === 0 && !exhausted && !signal?.aborted) {
      refill ??= claim().then((ids) => {
        if (ids.length === 0) exhausted = true;
        buffer.push(...ids);
      }).finally(() => { refill = undefined; });
      await refill;
    }
    return buffer.shift();
  };
  const lanes = Array.from({ length: concurrency }, async () => {
    for (let id = await next(); id !== undefined && !signal?.aborted; id = await next()) await work(id);
  });
  await Promise.all(lanes);
  return buffer.splice(0);
}

async function lockMigration(tx: MigrationTx, subscriptionId: string, postgres: boolean): Promise<SubscriptionMigration> {
  if (!postgres) return requireMigration(tx, subscriptionId);
  await tx.selectFrom('mig_subscriptions').select('subscription_id').where('subscription_id', '=', subscriptionId).forUpdate().execute();
  return requireMigration(tx, subscriptionId);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

