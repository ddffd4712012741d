import { PostgresAdapter, type Kysely } from 'kysely';
import type { MigrationDb } from './migration-repo.ts';

// Leases: which runner holds which users. Batches are claimed in batch-claim.ts; this file renews and drops leases.

/** States a claim may pick up: never-started users, and users a crashed process left half-way (`migrating`). */
export const CLAIMABLE_STATES = ['eligible', 'migrating'] as const;

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
