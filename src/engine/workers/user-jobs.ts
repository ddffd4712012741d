import type { Task, TaskList } from 'graphile-worker';
import type { EnginePorts } from '../../ports/engine-ports.ts';
import { MigrationError } from '../migration-error.ts';
import { migrationDb, requireMigrationSummary, type MigrationDb, type MigrationSummary } from '../migration-repo.ts';
import { runUserPhase } from '../user-phase.ts';
import { CLAIMABLE_STATES } from '../leases.ts';
import { outstandingAdmins } from '../admins-first.ts';
import type { Runner } from './runner-registry.ts';
import { recordScheduledRefusal } from './due-work.ts';

/** Job names on the queue (graphile-worker task identifiers). */
export const START_TASK = 'rehome_users_start';
export const BATCH_TASK = 'rehome_users_batch';

export interface StartPayload { subscriptionId: string; scheduledOnly: boolean }
export interface BatchPayload { subscriptionId: string; userIds: string[]; scheduledOnly: boolean; includeFailed?: boolean }

export interface UserJobsOptions {
  db: MigrationDb;
  runner: Runner;
  portsFor: (m: MigrationSummary, actor: string) => EnginePorts;
  /** Users per batch job, and per batch of the engine (`migration.batchSize`). */
  batchSize: number;
  signal: AbortSignal;
  onJob?: (r: { task: string; migrated: number; failed: number }) => void;
}

/**
 * The two jobs of the user phase, both running the one engine (user-phase.ts). `start`: the admins, inline and
 * awaited, then one batch job per `batchSize` of the remaining users (job keys make a re-run of `start` after a crash
 * enqueue nothing twice). `batch`: its users as one engine batch, claimed by lease. Batch jobs are prioritised by
 * their index within their subscription (fairPriority), so the first batches of every subscription run before the
 * later batches of a big one: a million-user subscription does not starve small ones queued after it. After the
 * window expired a scheduled job records why it did nothing (`window_expired`, audited) and stops: nothing
 * scheduled runs silently.
 */
export function userTasks(o: UserJobsOptions): TaskList {
  const actor = `worker:${o.runner.id}`;
  const guarded = async (subscriptionId: string, task: string, scheduledOnly: boolean, run: (m: MigrationSummary, ports: EnginePorts) => Promise<{ migrated: number; failed: number }>) => {
    const m = await requireMigrationSummary(o.db, subscriptionId);
    const ports = o.portsFor(m, actor);
    try {
      const r = await run(m, ports);
      o.onJob?.({ task, ...r });
    } catch (error) {
      if (scheduledOnly && error instanceof MigrationError && error.code === 'window_expired') {
        await recordScheduledRefusal(migrationDb(ports.db), subscriptionId, ports.now().toISOString(), actor);
        return;
      }
      throw error;
    }
  };

  const start: Task = async (raw, helpers) => {
    const p = raw as StartPayload;
    await guarded(p.subscriptionId, START_TASK, p.scheduledOnly, async (m, ports) => {
      const admins = await runUserPhase({ subscriptionId: p.subscriptionId, admins: true, scheduledOnly: p.scheduledOnly, runner: o.runner, batchSize: o.batchSize, signal: o.signal }, ports);
      // Admins first, for real: while one is neither migrated nor skipped, the others are not queued (a later
      // Migrate All, or the next scheduled tick, queues them once the admins are done).
      const waiting = await outstandingAdmins(o.db, p.subscriptionId, 0);
      if (waiting.count > 0) {
        ports.onEvent?.({ type: 'users:held', subscriptionId: p.subscriptionId, reason: 'admins_first', admins: waiting.count });
        return admins;
      }
      const ids = await pendingOthers(o.db, p.subscriptionId, p.scheduledOnly ? { now: ports.now().toISOString(), startsAt: m.starts_at } : undefined);
      const specs = [];
      for (let i = 0; i < ids.length; i += o.batchSize) {
        const userIds = ids.slice(i, i + o.batchSize);
        specs.push({ identifier: BATCH_TASK, payload: { subscriptionId: p.subscriptionId, userIds, scheduledOnly: p.scheduledOnly } satisfies BatchPayload, jobKey: `batch:${p.subscriptionId}:${userIds[0]}`, priority: fairPriority(i / o.batchSize) });
      }
      if (specs.length > 0) await helpers.addJobs(specs);
      return admins;
    });
  };

  const batch: Task = async (raw) => {
    const p = raw as BatchPayload;
    await guarded(p.subscriptionId, BATCH_TASK, p.scheduledOnly, (_m, ports) => runUserPhase({
      subscriptionId: p.subscriptionId, userIds: p.userIds, includeFailed: Boolean(p.includeFailed), scheduledOnly: p.scheduledOnly,
      runner: o.runner, batchSize: o.batchSize, signal: o.signal,
    }, ports));
  };

  return { [START_TASK]: start, [BATCH_TASK]: batch };
}

/**
 * graphile-worker runs lower priorities first: the n-th batch of every subscription before any (n+1)-th. Clamped to
 * the queue's smallint column.
 */
export function fairPriority(batchIndex: number): number {
  return Math.min(32_767, Math.max(0, Math.floor(batchIndex)));
}

async function pendingOthers(db: MigrationDb, subscriptionId: string, dueAt: { now: string; startsAt: string | null } | undefined): Promise<string[]> {
  let q = db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', subscriptionId).where('admin', '=', 0).where('state', 'in', [...CLAIMABLE_STATES]);
  if (dueAt) q = q.where((eb) => eb.or([eb('scheduled_for', '<=', dueAt.now), ...(dueAt.startsAt !== null && dueAt.startsAt <= dueAt.now ? [eb('scheduled_for', 'is', null)] : [])]));
  return (await q.orderBy('user_id').execute()).map((r) => r.user_id);
}
