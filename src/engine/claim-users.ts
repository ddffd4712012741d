import { PostgresAdapter, type Kysely } from 'kysely';
import type { MigrationDb } from './migration-repo.ts';

/** States a claim may pick up: never-started users, and users a crashed process left half-way (`migrating`). */
export const CLAIMABLE_STATES = ['eligible', 'migrating'] as const;

export interface ClaimQuery {
  subscriptionId: string;
  /** The runner that will hold the lease (`mig_runners.runner_id`). */
  owner: string;
  /** Lease length; the owner's heartbeat renews it, a dead owner's lapses. */
  leaseMs: number;
  limit: number;
  /** Wall clock in ms (leases are operational time, not the migration's clock). */
  nowMs: number;
  admins?: boolean;
  /** Restrict to these users (Migrate Now, or one batch job). */
  userIds?: readonly string[];
  /** Also claim `failed` users (Migrate Now / retry of named users). */
  includeFailed?: boolean;
  /** Only users whose scheduled time has come: their own `scheduled_for`, else the subscription's start. */
  dueAt?: { now: string; startsAt: string | null };
}

/** Who holds leases: a registered runner (src/workers/runner-registry.ts). */
export interface LeaseHolder {
  readonly id: string;
  readonly leaseMs: number;
  /** Wall clock in ms. */
  readonly clock: () => number;
}

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Leases up to `limit` users to `owner` in ONE statement and returns their ids, crash leftovers (`migrating`) first.
 * PostgreSQL: `FOR UPDATE SKIP LOCKED` in the sub-select, so concurrent claimers never wait on nor take each other's
 * rows; a row is free when unleased or its lease lapsed. SQLite: the statement runs under the single writer lock,
 * which gives the same guarantee within its one process (see runner-registry for the one-process rule).
 */
export async function claimUsers(db: MigrationDb, q: ClaimQuery): Promise<string[]> {
  const now = new Date(q.nowMs).toISOString();
  const until = new Date(q.nowMs + q.leaseMs).toISOString();
  const states: string[] = q.includeFailed ? [...CLAIMABLE_STATES, 'failed'] : [...CLAIMABLE_STATES];
  let pick = db.selectFrom('mig_users').select('user_id')
    .where('subscription_id', '=', q.subscriptionId)
    .where('state', 'in', states)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]));
  if (q.admins !== undefined) pick = pick.where('admin', '=', q.admins ? 1 : 0);
  if (q.userIds) pick = pick.where('user_id', 'in', q.userIds.length > 0 ? [...q.userIds] : ['\u0000']);
  if (q.dueAt) {
    const { now: due, startsAt } = q.dueAt;
    pick = pick.where((eb) => eb.or([
      eb('scheduled_for', '<=', due),
      ...(startsAt !== null && startsAt <= due ? [eb('scheduled_for', 'is', null)] : []),
    ]));
  }
  pick = pick.orderBy('state', 'desc').orderBy('user_id').limit(q.limit);
  if (isPostgres(db)) pick = pick.forUpdate().skipLocked();
  const rows = await db.updateTable('mig_users').set({ lease_owner: q.owner, lease_until: until })
    .where('subscription_id', '=', q.subscriptionId).where('user_id', 'in', pick).returning('user_id').execute();
  return rows.map((r) => r.user_id);
}

/** Renews every lease `owner` holds (its heartbeat); returns how many. */
export async function renewLeases(db: MigrationDb, owner: string, untilMs: number): Promise<number> {
  const r = await db.updateTable('mig_users').set({ lease_until: new Date(untilMs).toISOString() }).where('lease_owner', '=', owner).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Drops leases: one owner's (a dead runner's, or ours at the end), optionally only some users. */
export async function releaseLeases(db: MigrationDb, owner: string, userIds?: readonly string[]): Promise<number> {
  let q = db.updateTable('mig_users').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner);
  if (userIds) q = q.where('user_id', 'in', userIds.length > 0 ? [...userIds] : ['\u0000']);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}
