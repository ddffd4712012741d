import { getMigrationSummary, migrationDb, requireMigrationSummary, type MigrationDb, type MigrationSummary } from '../../engine/migration-repo.ts';
import { nameAdmins, outstandingAdmins } from '../../engine/admins-first.ts';
import { countPending } from '../../engine/batch-claim.ts';
import { MigrationError } from '../../engine/migration-error.ts';
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
  /** Admins neither migrated nor skipped after the run: the other users waited (admins first). */
  heldForAdmins?: { count: number; names: string };
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
  if (only.userIds) await refuseOthersBeforeAdmins(db, input.subscriptionId, only.userIds);
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
  const waiting = await outstandingAdmins(db, input.subscriptionId);
  const held = waiting.count > 0 && (await countPending(db, { subscriptionId: input.subscriptionId, admins: false, ...(only.userIds ? { userIds: only.userIds, includeFailed: true } : {}) })) > 0;
  return { ...r, migration: await requireMigrationSummary(db, input.subscriptionId), queued, ...(held ? { heldForAdmins: { count: waiting.count, names: nameAdmins(waiting) } } : {}) };
}

/**
 * Migrate Now of chosen users: refused when it names others while admins are neither migrated nor skipped and not
 * named too, before anything is queued or claimed (the engine would only hold them).
 */
async function refuseOthersBeforeAdmins(db: MigrationDb, subscriptionId: string, userIds: string[]): Promise<void> {
  const waiting = await outstandingAdmins(db, subscriptionId, 1_000);
  if (waiting.count === 0) return;
  const named = new Set(userIds);
  const others = await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', subscriptionId).where('admin', '=', 0).where('user_id', 'in', userIds.slice(0, 10_000)).limit(1).execute();
  if (others.length === 0 || (waiting.count <= waiting.first.length && waiting.first.every((a) => named.has(a.userId)))) return;
  throw new MigrationError('admins_first', `admins migrate first: ${nameAdmins({ count: waiting.count, first: waiting.first.slice(0, 5) })} ${waiting.count === 1 ? 'is' : 'are'} neither migrated nor skipped. Migrate the admins now (with these users or alone), or skip them with a second confirmation; then the others.`);
}
