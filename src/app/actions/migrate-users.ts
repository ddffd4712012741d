import { getMigrationSummary, migrationDb, requireMigrationSummary, type MigrationSummary } from '../../engine/migration-repo.ts';
import { runUserPhase } from '../../engine/user-phase.ts';
import { enqueueUserPhase, openJobQueue } from '../../engine/workers/job-queue.ts';
import type { EngineEvent } from '../../ports/engine-ports.ts';
import { AppError } from '../app-error.ts';
import type { RehomeApp } from '../compose.ts';
import { workQueue } from './work-queue.ts';

export interface MigrateUsersInput {
  subscriptionId: string;
  actor: string;
  /** Migrate Now: these users; default every eligible user (Migrate All). Admins always go first. */
  userIds?: string[];
  onEvent?: (event: EngineEvent) => void;
  signal?: AbortSignal;
}

export interface MigrateUsersResult {
  attempted: number;
  migrated: number;
  failed: number;
  /** The subscription's migration after the run. */
  migration: MigrationSummary;
  /** True when the work went through the PostgreSQL job queue (other `rehome worker` processes may share it). */
  queued: boolean;
}

/** A run's progress bars (CLI, console) move at least this many times, however small the run. */
export const PROGRESS_STEPS = 50;

/**
 * Migrate Now / Migrate All, from every face (CLI, console, demo): the engine's one user phase, a batch of
 * `migration.batchSize` at a time, with the app's ports (IdP, product links and cutover, password provisioning). On PostgreSQL the work goes through the job queue, so any number of
 * `rehome worker` processes can share it, and this process works on it too until nothing is left.
 */
export async function migrateUsers(app: RehomeApp, input: MigrateUsersInput): Promise<MigrateUsersResult> {
  const db = migrationDb(app.store.kysely);
  const m = await getMigrationSummary(db, input.subscriptionId);
  if (!m) throw new AppError('no_migration', `no migration for ${input.subscriptionId}: plan it and link the product first`);
  const only = input.userIds && input.userIds.length > 0 ? { userIds: input.userIds } : {};
  let r: { attempted: number; migrated: number; failed: number };
  let queued = false;
  if (app.store.dialect === 'postgres') {
    const queue = await openJobQueue(app.config.store.url!);
    try { await enqueueUserPhase(queue, { subscriptionId: input.subscriptionId, batchSize: app.config.migration.batchSize, ...only }); } finally { await queue.release(); }
    queued = true;
    const w = await workQueue(app, { untilIdle: true, ...(input.signal ? { signal: input.signal } : {}), ...(input.onEvent ? { onEvent: input.onEvent } : {}) });
    r = { migrated: w.migrated, failed: w.failed, attempted: w.migrated + w.failed };
  } else {
    const ports = app.enginePorts({ orgId: m.org_id ?? '', subscriptionId: input.subscriptionId, actor: input.actor, ...(input.onEvent ? { onEvent: input.onEvent } : {}) });
    r = await runUserPhase({
      subscriptionId: input.subscriptionId, batchSize: app.config.migration.batchSize, concurrency: app.config.migration.concurrency, progressSteps: PROGRESS_STEPS,
      ...only, ...(input.signal ? { signal: input.signal } : {}),
    }, ports);
  }
  return { ...r, migration: await requireMigrationSummary(db, input.subscriptionId), queued };
}
