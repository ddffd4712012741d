import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ACCOUNTED_STATES } from '../core/migration/states.ts';
import { dialectOf } from '../store/bulk-sql.ts';
import { refreshStaleStatistics } from '../store/postgres/planner-statistics.ts';
import { openUserWindow } from './open-user-window.ts';
import { outstandingAdmins } from './admins-first.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import { isPostgres, releaseLeases } from './leases.ts';
import { claimBatch, countPending } from './batch-claim.ts';
import { createBatchIdp } from './batch-idp.ts';
import { recordOutcomes } from './batch-record.ts';
import { migrateBatch } from './migrate-batch.ts';
import { registerRunner, type Runner } from './workers/runner-registry.ts';
import { countUsersByState, migrationDb, requireMigrationSummary, transitionSubscription, type MigrationDb, type MigrationSummary, type MigrationTx, type SubscriptionMigration } from './migration-repo.ts';

/** Users per batch unless configured (`migration.batchSize`). */
export const DEFAULT_BATCH_SIZE = 1000;

export interface UserPhaseOptions {
  subscriptionId: string;
  /** Specific users (Migrate Now, or one queued batch job); default every eligible user (Migrate All). Admins first. */
  userIds?: string[];
  /** Users per batch: one claim transaction, one call per IdP operation, one outcome transaction (default 1000). */
  batchSize?: number;
  /** Batches in flight in this process (default 1). */
  concurrency?: number;
  /**
   * A whole run (no `userIds`) reports progress at least this many times: a small run (a console's Migrate All of a
   * few hundred users) then takes smaller batches, so people watching see users move rather than one jump at the
   * end. Default: batches of `batchSize` whatever the run's size.
   */
  progressSteps?: number;
  /** Run only users whose scheduled time has come (the scheduler), refused once the window expired. */
  scheduledOnly?: boolean;
  /** How often a throttled IdP call is retried before its users are left `failed` (retryable). */
  maxThrottleRetries?: number;
  signal?: AbortSignal;
  /** Only admins (true) or only the others (false); default admins, then the others. */
  admins?: boolean;
  /**
   * Also start `failed` users named in `userIds` (default: when `userIds` is given, as for Migrate Now and retries).
   * Each is tried once per run. Ignored without `userIds`: Migrate All never retries failures on its own.
   */
  includeFailed?: boolean;
  /**
   * The runner holding this process's leases (a `rehome worker`); default: this call registers one for its own
   * duration, which on SQLite refuses a second process (`runner_busy`).
   */
  runner?: Runner;
  /** Fault injection for crash tests: runs after a batch's IdP calls, before its outcome transaction. */
  faults?: { afterIdpCalls?: (userIds: string[]) => void | Promise<void> };
}

export interface UserPhaseResult {
  attempted: number;
  migrated: number;
  failed: number;
  /** Admins still to migrate or skip: the other users of this run waited (admins first), none was started. */
  heldForAdmins?: number;
  state: SubscriptionMigration['state'];
}

/**
 * The user phase — the one engine behind `rehome migrate`, the console's Migrate Now / Migrate All, scheduled
 * migrations and every `rehome worker` job. It works a batch at a time with DESIGN.md's crash-safe protocol:
 * 1. claim a batch in ONE transaction (batch-claim.ts: users -> `migrating`, leased to this runner, a step row with
 *    the idempotency key `<subscription>:<user>`, one audit row per user);
 * 2. the IdP once per operation for the whole batch (migrate-batch.ts), every user ending with its own outcome;
 * 3. record every outcome in ONE transaction (batch-record.ts).
 * A crash anywhere leaves users `migrating`; once the dead runner is reaped (at once on this host) the next run
 * reconciles them by externalId before creating anything. Leases let any number of PostgreSQL workers share a
 * subscription without running one user twice at once. Admins go first; failures are per user and never stop the
 * others; when every user is accounted for the migration awaits the admin's confirmation.
 */
export async function runUserPhase(opts: UserPhaseOptions, ports: EnginePorts): Promise<UserPhaseResult> {
  const db = migrationDb(ports.db);
  // The migration without its stored plan (hundreds of MB at a million users): users carry their planned account.
  let m = await openUserWindow(db, await requireMigrationSummary(db, opts.subscriptionId), ports, Boolean(opts.scheduledOnly));
  ports.onEvent?.({ type: 'phase:started', phase: 'users', subscriptionId: m.subscription_id });
  await refreshPlannerStatistics(db, true);

  const owned = opts.runner ? undefined : await registerRunner(ports.db, { actor: ports.actor });
  const runner = (opts.runner ?? owned)!;
  try {
    const idp = createBatchIdp(ports, opts.maxThrottleRetries ?? 5);
    const run = randomUUID().slice(0, 8);
    const includeFailed = Boolean(opts.userIds) && (opts.includeFailed ?? true);
    const result: UserPhaseResult = { attempted: 0, migrated: 0, failed: 0, state: m.state };
    // Admins first holds everyone behind a failed admin, so a whole run (a schedule's, Migrate All) gives each admin
    // whose last failure was retryable (throttled, unavailable, timeout) one more attempt before the others.
    if (!opts.userIds && opts.admins !== false) {
      const again = (await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', m.subscription_id).where('admin', '=', 1)
        .where('state', '=', 'failed').where('retryable', '=', 1).orderBy('user_id').execute()).map((r) => r.user_id);
      if (again.length > 0) {
        const r = await runUserPhase({ ...opts, userIds: again, includeFailed: true, admins: true, runner }, ports);
        Object.assign(result, { attempted: r.attempted, migrated: r.migrated, failed: r.failed });
      }
    }
    let batches = 0;
    for (const admins of opts.admins === undefined ? [true, false] : [opts.admins]) {
      if (!admins) {
        // Admins first, for real: nobody else starts while an admin is neither migrated nor (confirmed) skipped.
        const waiting = await outstandingAdmins(db, m.subscription_id, 0);
        if (waiting.count > 0) {
          result.heldForAdmins = waiting.count;
          ports.onEvent?.({ type: 'users:held', subscriptionId: m.subscription_id, reason: 'admins_first', admins: waiting.count });
          continue;
        }
      }
      // Named users leave the list once tried, so a user who fails again is not taken a second time this run.
      const remaining = opts.userIds ? new Set(opts.userIds) : undefined;
      const scope = { subscriptionId: m.subscription_id, admins, includeFailed };
      const total = await countPending(db, { ...scope, ...(remaining ? { userIds: [...remaining] } : {}) });
      if (total === 0) continue;
      const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
      const size = remaining || !opts.progressSteps ? batchSize : Math.max(1, Math.min(batchSize, Math.ceil(total / opts.progressSteps)));
      const tally = { done: 0, failed: 0 };
      await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, async () => {
        while (!opts.signal?.aborted && (!remaining || remaining.size > 0)) {
          const batchId = `${run}-${++batches}`;
          const started = performance.now();
          await refreshPlannerStatistics(db);
          const claimed = await claimBatch(db, {
            ...scope, limit: size, owner: runner.id, leaseMs: runner.leaseMs, nowMs: runner.clock(), at: ports.now(), actor: ports.actor, batchId,
            ...(remaining ? { userIds: [...remaining] } : {}),
            ...(opts.scheduledOnly ? { dueAt: { now: ports.now().toISOString(), startsAt: m.starts_at } } : {}),
          });
          if (claimed.length === 0) return;
          for (const u of claimed) remaining?.delete(u.user_id);
          // An error (a deadlock on PostgreSQL, a dropped connection) leaves the batch `migrating`, as a crash would;
          // its leases are given back, so the job's retry, or any runner, takes the users over and reconciles them
          // by externalId. Kept, they would wait for this process to exit: its own retry cannot take them.
          const giveBack = async <T>(step: () => Promise<T>): Promise<T> => {
            try {
              return await step();
            } catch (error) {
              await releaseLeases(db, runner.id, claimed.map((u) => u.user_id)).catch(() => {});
              throw error;
            }
          };
          const outcomes = await giveBack(() => migrateBatch(db, m, claimed, ports, idp));
          // Fault injection stands for a killed process: nothing may run after it, leases included.
          await opts.faults?.afterIdpCalls?.(claimed.map((u) => u.user_id));
          const recorded = await giveBack(() => recordOutcomes(db, { subscriptionId: m.subscription_id, owner: runner.id, at: ports.now().toISOString(), actor: ports.actor, batchId }, outcomes));
          for (const o of recorded) {
            result.attempted++;
            if (o.ok) {
              result.migrated++; tally.done++;
              ports.onEvent?.({ type: 'user:migrated', subscriptionId: m.subscription_id, userId: o.user.user_id });
            } else {
              result.failed++; tally.failed++;
              ports.onEvent?.({ type: 'user:failed', subscriptionId: m.subscription_id, userId: o.user.user_id, code: o.code });
            }
          }
          ports.onEvent?.({ type: 'batch:done', subscriptionId: m.subscription_id, size: claimed.length, ms: performance.now() - started });
          ports.onEvent?.({ type: 'progress', subscriptionId: m.subscription_id, done: tally.done, failed: tally.failed, total });
        }
      }));
    }
    m = await settle(db, m.subscription_id, ports);
    result.state = m.state;
    return result;
  } finally {
    await owned?.[Symbol.asyncDispose]();
  }
}

/** How often a process looks for tables whose statistics a run made stale (PostgreSQL; SQLite needs nothing). */
const STATISTICS_CHECK_MS = 20_000;
let statisticsCheckedAt = -Infinity;

/**
 * A run writes a few rows per user into the migration's and the IMS's tables: on PostgreSQL their planner statistics
 * go stale within minutes of a large run (store/postgres/planner-statistics.ts). Checked at a run's start and then at
 * most every 20 s per process, between batches; each stale table is re-analysed once.
 */
async function refreshPlannerStatistics(db: MigrationDb, now = false): Promise<void> {
  if (dialectOf(db) !== 'postgres' || (!now && performance.now() - statisticsCheckedAt < STATISTICS_CHECK_MS)) return;
  statisticsCheckedAt = performance.now();
  await refreshStaleStatistics(db);
}

/** Moves the subscription to awaiting_confirmation when every user is accounted for (or back when one reopened). */
export async function settle(db: MigrationDb, subscriptionId: string, ports: EnginePorts): Promise<MigrationSummary> {
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

async function lockMigration(tx: MigrationTx, subscriptionId: string, postgres: boolean): Promise<MigrationSummary> {
  if (postgres) await tx.selectFrom('mig_subscriptions').select('subscription_id').where('subscription_id', '=', subscriptionId).forUpdate().execute();
  return requireMigrationSummary(tx, subscriptionId);
}


