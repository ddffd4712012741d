import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import { run, runOnce, type Runner as QueueRunner, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import type { WorkerTables } from './worker-schema.ts';
import type { EnginePorts } from '../../ports/engine-ports.ts';
import { isPostgres } from '../leases.ts';
import { migrationDb, type MigrationSummary } from '../migration-repo.ts';
import { DEFAULT_BATCH_SIZE, runUserPhase } from '../user-phase.ts';
import { MigrationError } from '../migration-error.ts';
import type { StoreAdapter } from '../../store/open-store.ts';
import { findDueSubscriptions, recordScheduledRefusal } from './due-work.ts';
import { enqueueUserPhase, openJobCount, openJobQueue, quietLogger } from './job-queue.ts';
import { registerRunner, type Runner } from './runner-registry.ts';
import { userTasks } from './user-jobs.ts';

export interface WorkerOptions {
  store: StoreAdapter;
  /** PostgreSQL URL of the store (the queue lives in the same database); ignored on SQLite. */
  connectionString: string;
  /** Engine ports acting for a subscription's organization. */
  portsFor: (m: MigrationSummary, actor: string) => EnginePorts;
  /** Jobs at once in this process (default 2). */
  concurrency?: number;
  /** Users per batch job and engine batch (default 1000, `migration.batchSize`). */
  batchSize?: number;
  /** Stop once nothing is queued, running or due (tests, cron-style runs); default: until `signal`. */
  untilIdle?: boolean;
  signal?: AbortSignal;
  leaseMs?: number;
  /** How often due schedules are looked for (default 10 s). */
  pollMs?: number;
  now?: () => Date;
}

export interface WorkerResult { jobs: number; migrated: number; failed: number }

/**
 * `rehome worker`. PostgreSQL: registers as a runner, then runs graphile-worker jobs (`concurrency` queue workers
 * with ids derived from the runner's, so a peer that finds this process dead can unlock its jobs at once), and
 * enqueues scheduled work when due. SQLite: one process (the runner lock); due schedules run inline.
 */
export async function runWorker(o: WorkerOptions): Promise<WorkerResult> {
  const result: WorkerResult = { jobs: 0, migrated: 0, failed: 0 };
  const now = o.now ?? (() => new Date());
  const pollMs = o.pollMs ?? 10_000;
  const stop = new AbortController();
  o.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const postgres = isPostgres(o.store.kysely);
  const utils = postgres ? await openJobQueue(o.connectionString) : undefined;
  const runner = await registerRunner(o.store.kysely, {
    actor: 'worker', ...(o.leaseMs ? { leaseMs: o.leaseMs } : {}),
    ...(utils ? { onDeadQueueWorkers: (ids: string[]) => utils.forceUnlockWorkers(ids) } : {}),
  });
  try {
    if (!utils) return await sqliteLoop(o, runner, now, pollMs, stop.signal, result);
    const lanes = Math.max(1, o.concurrency ?? 2);
    const events = trackPools(runner);
    const taskList = userTasks({
      db: migrationDb(o.store.kysely), runner, portsFor: o.portsFor, batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE, signal: stop.signal,
      onJob: (r) => { result.jobs++; result.migrated += r.migrated; result.failed += r.failed; },
    });
    const shared = { connectionString: o.connectionString, taskList, logger: quietLogger, noHandleSignals: true, events, pollInterval: Math.min(pollMs, 2000) };
    const tick = async () => {
      await unlockOrphanJobs(utils, o.store.kysely, runner.leaseMs);
      await enqueueDue(o, utils, now().toISOString(), runner);
    };
    if (o.untilIdle) {
      for (;;) {
        await tick();
        await Promise.all(Array.from({ length: lanes }, () => runOnce(shared)));
        if (stop.signal.aborted || ((await openJobCount(utils)) === 0 && !(await hasDue(o, now)))) return result;
        await sleep(Math.min(pollMs, 500));
      }
    }
    const queue: QueueRunner = await run({ ...shared, concurrency: lanes });
    const timer = setInterval(() => { tick().catch((e) => process.stderr.write(`rehome worker: scheduling failed: ${(e as Error).message}\n`)); }, pollMs);
    await tick();
    await new Promise<void>((resolve) => { if (stop.signal.aborted) resolve(); else stop.signal.addEventListener('abort', () => resolve(), { once: true }); });
    clearInterval(timer);
    await queue.stop();
    return result;
  } finally {
    await runner[Symbol.asyncDispose]();
    await utils?.release();
  }
}

/** Enqueues the scheduled work that is due; refusals for expired windows are recorded, not run. */
async function enqueueDue(o: WorkerOptions, utils: WorkerUtils, at: string, runner: Runner): Promise<void> {
  const due = await findDueSubscriptions(o.store.kysely, at);
  for (const m of due.run) await enqueueUserPhase(utils, { subscriptionId: m.subscription_id, scheduledOnly: true });
  for (const m of due.expired) {
    if (m.state === 'expired') await recordScheduledRefusal(migrationDb(o.store.kysely), m.subscription_id, at, `worker:${runner.id}`);
    else await enqueueUserPhase(utils, { subscriptionId: m.subscription_id, scheduledOnly: true });
  }
}

async function hasDue(o: WorkerOptions, now: () => Date): Promise<boolean> {
  return (await findDueSubscriptions(o.store.kysely, now().toISOString())).run.length > 0;
}

async function sqliteLoop(o: WorkerOptions, runner: Runner, now: () => Date, pollMs: number, signal: AbortSignal, result: WorkerResult): Promise<WorkerResult> {
  while (!signal.aborted) {
    const at = now().toISOString();
    const due = await findDueSubscriptions(o.store.kysely, at);
    for (const m of [...due.run, ...due.expired]) {
      const ports = o.portsFor(m, `worker:${runner.id}`);
      try {
        const r = await runUserPhase({ subscriptionId: m.subscription_id, scheduledOnly: true, runner, batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE, signal }, ports);
        result.jobs++; result.migrated += r.migrated; result.failed += r.failed;
      } catch (error) {
        if (!(error instanceof MigrationError && error.code === 'window_expired')) throw error;
        await recordScheduledRefusal(migrationDb(o.store.kysely), m.subscription_id, at, `worker:${runner.id}`);
      }
    }
    if (o.untilIdle && due.run.length === 0) return result;
    await sleep(pollMs, signal);
  }
  return result;
}

/**
 * graphile-worker 0.18 locks jobs with its pool's random id: record the ids of this process's live pools on its
 * runner row, so a peer that finds this process dead unlocks exactly its jobs (forceUnlockWorkers) at once.
 */
function trackPools(runner: Runner): WorkerEvents {
  const events: WorkerEvents = new EventEmitter();
  const ids = new Set<string>();
  const save = () => runner.setQueueWorkerIds([...ids]).catch(() => {});
  events.on('pool:create', ({ workerPool }) => { ids.add(workerPool.id); void save(); });
  events.on('pool:release', ({ workerPool }) => { ids.delete(workerPool.id); void save(); });
  return events;
}

/**
 * Safety net for the instant between a pool locking a job and its id reaching the runner row: a job locked longer
 * than a lease by a pool no registered runner owns is unlocked. Running it twice is harmless: users are leased.
 */
async function unlockOrphanJobs(utils: WorkerUtils, kysely: Kysely<any>, olderThanMs: number): Promise<void> {
  const live = new Set((await (kysely as Kysely<WorkerTables>).selectFrom('mig_runners').select('queue_worker_ids').execute()).flatMap((r) => JSON.parse(r.queue_worker_ids) as string[]));
  const locked = await utils.withPgClient((client) => client.query<{ locked_by: string }>(
    `select distinct locked_by from graphile_worker.jobs where locked_by is not null and locked_at < now() - make_interval(secs => $1)`, [olderThanMs / 1000]));
  const orphans = locked.rows.map((r) => r.locked_by).filter((id) => !live.has(id));
  if (orphans.length > 0) await utils.forceUnlockWorkers(orphans);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
