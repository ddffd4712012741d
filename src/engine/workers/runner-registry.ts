import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { isPostgres, releaseLeases, renewLeases } from '../leases.ts';
import { auditIn, migrationDb, type MigrationDb } from '../migration-repo.ts';
import type { WorkerTables } from './worker-schema.ts';
import { WorkerError } from './worker-error.ts';

type RunnerDb = Kysely<WorkerTables>;
type RunnerRow = WorkerTables['mig_runners'];

export interface RunnerOptions {
  /** For the audit log of reaped runners. */
  actor: string;
  /** How long a runner's leases and registration last without a heartbeat (default 30 s). */
  leaseMs?: number;
  /** Wall clock in ms (default Date.now). */
  clock?: () => number;
  /** Called with the queue worker ids of a dead runner, so their jobs are unlocked (graphile forceUnlockWorkers). */
  onDeadQueueWorkers?: (ids: string[]) => Promise<void>;
}

/** A live `rehome migrate` / `rehome worker` process: the owner of user leases. Dispose to deregister. */
export interface Runner extends AsyncDisposable {
  readonly id: string;
  readonly leaseMs: number;
  readonly clock: () => number;
  /** Renews the registration and every lease now (also runs on a timer every leaseMs/3). */
  heartbeat(): Promise<void>;
  /** Releases the leases of runners that died (heartbeat lapsed, or a dead pid on this host); returns how many. */
  reapDead(): Promise<number>;
  setQueueWorkerIds(ids: string[]): Promise<void>;
}

const HOST = hostname();

/**
 * Registers this process as a runner. On SQLite only one process may migrate at a time (the claim statement is
 * safe, but SQLite has one writer and the queue needs PostgreSQL): a second live registration fails with
 * `runner_busy`; a dead one (its pid is gone on this host, or its heartbeat lapsed) is reaped first, which is how
 * a resumed process takes over right after a crash. On PostgreSQL any number register; leases keep them apart.
 */
export async function registerRunner(kysely: Kysely<any>, opts: RunnerOptions): Promise<Runner> {
  const db = kysely as RunnerDb;
  const mdb = migrationDb(kysely);
  const leaseMs = opts.leaseMs ?? 30_000;
  const clock = opts.clock ?? Date.now;
  const id = `${HOST}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const exclusive = !isPostgres(kysely);
  const iso = (ms: number) => new Date(ms).toISOString();

  const reapDead = async (): Promise<number> => {
    const rows = await db.selectFrom('mig_runners').selectAll().where('runner_id', '!=', id).execute();
    let released = 0;
    for (const r of rows.filter((row) => isDead(row, clock(), leaseMs))) released += await reap(mdb, r, opts, clock);
    return released;
  };

  await reapDead();
  const busy = (holder: RunnerRow, cause?: unknown) => new WorkerError('runner_busy', `another rehome process (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}) is migrating with this SQLite store; SQLite runs one migrating process at a time. Wait for it to finish, stop it, or use PostgreSQL (store.kind = postgres) to run several workers.`, cause === undefined ? undefined : { cause });
  const holder = () => db.selectFrom('mig_runners').selectAll().where('exclusive_key', '=', 'sqlite').executeTakeFirst();
  // Refuse on a read when the lock is plainly held: a refused process should not even take SQLite's write lock,
  // which would fail the running process's deferred transactions (see docs/runbook.md).
  const live = exclusive ? await holder() : undefined;
  if (live) throw busy(live);
  const at = iso(clock());
  try {
    await db.insertInto('mig_runners').values({ runner_id: id, host: HOST, pid: process.pid, exclusive_key: exclusive ? 'sqlite' : null, queue_worker_ids: '[]', started_at: at, heartbeat_at: at }).execute();
  } catch (error) {
    const won = await holder();
    if (!won) throw error;
    throw busy(won, error);
  }

  const heartbeat = async () => {
    const now = clock();
    await db.updateTable('mig_runners').set({ heartbeat_at: iso(now) }).where('runner_id', '=', id).execute();
    await renewLeases(mdb, id, now + leaseMs);
  };
  let beating: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    beating = beating.then(heartbeat).then(reapDead).catch(() => {});
  }, Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref();

  return {
    id, leaseMs, clock, heartbeat, reapDead,
    async setQueueWorkerIds(ids) {
      await db.updateTable('mig_runners').set({ queue_worker_ids: JSON.stringify(ids) }).where('runner_id', '=', id).execute();
    },
    async [Symbol.asyncDispose]() {
      clearInterval(timer);
      await beating;
      await releaseLeases(mdb, id);
      await db.deleteFrom('mig_runners').where('runner_id', '=', id).execute();
    },
  };
}

/**
 * On this host the pid decides at once (a SIGKILLed process is taken over immediately); a long-lapsed heartbeat
 * still wins, in case the pid was reused. Elsewhere only the heartbeat can tell.
 */
function isDead(r: RunnerRow, nowMs: number, leaseMs: number): boolean {
  const lapsed = Date.parse(r.heartbeat_at) + leaseMs < nowMs;
  if (r.host !== HOST) return lapsed;
  return !pidAlive(r.pid) || Date.parse(r.heartbeat_at) + 10 * leaseMs < nowMs;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else: alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a dead runner and frees its leases in one transaction (only one reaper wins), then its queue jobs. */
async function reap(mdb: MigrationDb, r: RunnerRow, opts: RunnerOptions, clock: () => number): Promise<number> {
  const released = await mdb.transaction().execute(async (tx) => {
    const gone = await (tx as unknown as RunnerDb).deleteFrom('mig_runners').where('runner_id', '=', r.runner_id).executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) return -1;
    const n = await releaseLeases(tx as unknown as MigrationDb, r.runner_id);
    await auditIn(tx, { at: new Date(clock()).toISOString(), actor: opts.actor, action: 'runner:reaped', subscriptionId: null, target: r.runner_id, details: { host: r.host, pid: r.pid, lastHeartbeat: r.heartbeat_at, leasesReleased: n } });
    return n;
  });
  if (released < 0) return 0;
  const ids = JSON.parse(r.queue_worker_ids) as string[];
  if (ids.length > 0 && opts.onDeadQueueWorkers) await opts.onDeadQueueWorkers(ids);
  return released;
}
