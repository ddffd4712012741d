import { sql } from 'kysely';
import { nextUserState, type UserState } from '../core/migration/states.ts';
import { dialectOf, insertJsonRows, inList, jsonRows, type JsonColumn, type SqlDialectName } from '../store/bulk-sql.ts';
import type { MigrationDb, MigrationTx, UserMigration } from './migration-repo.ts';

/** The one step row a batched user gets: it covers the user's three calls (account, grant, link). */
export const BATCH_STEP = 'ims:account+grant+link';

export const AUDIT_COLUMNS: JsonColumn[] = [
  { name: 'at', pg: 'timestamptz' }, { name: 'actor', pg: 'text' }, { name: 'action', pg: 'text' },
  { name: 'subscription_id', pg: 'text' }, { name: 'target', pg: 'text' }, { name: 'details', pg: 'json' },
];
const STEP_COLUMNS: JsonColumn[] = [
  { name: 'subscription_id', pg: 'text' }, { name: 'user_id', pg: 'text' }, { name: 'step', pg: 'text' }, { name: 'idem_key', pg: 'text' },
  { name: 'attempt', pg: 'integer' }, { name: 'status', pg: 'text' }, { name: 'started_at', pg: 'text' },
];

/** A user this worker holds: the row after `start` (state `migrating`, attempt counted) and the state it came from. */
export interface ClaimedUser extends UserMigration {
  from: UserState;
  /** This attempt's row in mig_steps (its outcome is recorded there by id). */
  step_id: number;
}

export interface ClaimRequest {
  subscriptionId: string;
  /** Only admins, or only the others. */
  admins: boolean;
  limit: number;
  /** Lease holder: the runner (src/workers/runner-registry.ts) whose heartbeat renews the lease. */
  owner: string;
  leaseMs: number;
  /** Wall clock in ms (leases are operational time, not the migration's clock). */
  nowMs: number;
  /** The migration's clock, for the records and the audit. */
  at: Date;
  actor: string;
  batchId: string;
  /** Only these users (Migrate Now, or one batch job). */
  userIds?: string[];
  /** Also claim `failed` users. */
  includeFailed?: boolean;
  /** Only users whose scheduled time has come: their own `scheduled_for`, else the subscription's start. */
  dueAt?: { now: string; startsAt: string | null };
}

/**
 * Step 1 of the crash-safe protocol for a whole batch, in ONE transaction: picks up to `limit` free users (no lease,
 * or a lapsed one, so any number of runners share a subscription safely), crash leftovers
 * (`migrating`) first; moves each to `migrating` (attempt + 1, leased to the runner), records its step `started`
 * with the idempotency key `<subscription>:<user>`, and writes one audit row per user. On PostgreSQL the pick is
 * `FOR UPDATE SKIP LOCKED`, so workers racing for the same rows never both take one.
 */
export async function claimBatch(db: MigrationDb, req: ClaimRequest): Promise<ClaimedUser[]> {
  const dialect = dialectOf(db);
  return db.transaction().execute(async (tx) => {
    const picked = await pickUsers(tx, dialect, req);
    const claimed = picked.flatMap((u): ClaimedUser[] => {
      const t = nextUserState(u.state, 'start');
      return t.ok ? [{ ...u, from: u.state, state: t.to, attempt: u.attempt + 1, step_id: 0 }] : [];
    });
    if (claimed.length === 0) return [];
    const at = req.at.toISOString();
    const until = new Date(req.nowMs + req.leaseMs).toISOString();
    await tx.updateTable('mig_users')
      .set((eb) => ({ state: 'migrating', attempt: eb('attempt', '+', 1), error_code: null, error_message: null, retryable: 0, lease_owner: req.owner, lease_until: until, updated_at: at }))
      .where('subscription_id', '=', req.subscriptionId).where(inList(dialect, 'user_id', claimed.map((u) => u.user_id))).execute();
    const steps = await sql<{ id: number | string; user_id: string }>`insert into mig_steps (${sql.join(STEP_COLUMNS.map((c) => sql.ref(c.name)))})
      select * from ${jsonRows(dialect, STEP_COLUMNS, claimed.map((u) => [u.subscription_id, u.user_id, BATCH_STEP, `${u.subscription_id}:${u.user_id}`, u.attempt, 'started', at]))} as t
      returning id, user_id`.execute(tx);
    const stepIds = new Map(steps.rows.map((r) => [r.user_id, Number(r.id)]));
    await insertJsonRows(tx, 'audit_log', AUDIT_COLUMNS, claimed.map((u) => [
      at, req.actor, 'user:start', u.subscription_id, u.user_id,
      JSON.stringify({ from: u.from, to: 'migrating', attempt: u.attempt, resumed: u.from === 'migrating', batch: req.batchId }),
    ]), { dialect });
    for (const u of claimed) Object.assign(u, { step_id: stepIds.get(u.user_id)!, lease_owner: req.owner, lease_until: until, updated_at: at, error_code: null, error_message: null, retryable: 0 });
    return claimed;
  });
}

async function pickUsers(tx: MigrationTx, dialect: SqlDialectName, req: ClaimRequest): Promise<UserMigration[]> {
  const now = new Date(req.nowMs).toISOString();
  const states = ['migrating', ...(req.includeFailed ? ['failed'] : []), 'eligible'];
  const picked: UserMigration[] = [];
  // One state per query keeps each pick on the (subscription, state, admin, user) index, in key order, instead of
  // sorting every candidate of a million-user subscription for each batch.
  for (const state of states) {
    if (picked.length >= req.limit) break;
    let q = tx.selectFrom('mig_users').selectAll().where('subscription_id', '=', req.subscriptionId).where('state', '=', state)
      .where('admin', '=', req.admins ? 1 : 0).where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]));
    if (req.userIds) q = q.where(inList(dialect, 'user_id', req.userIds));
    if (req.dueAt) {
      const { now: due, startsAt } = req.dueAt;
      q = q.where((eb) => eb.or([eb('scheduled_for', '<=', due), ...(startsAt !== null && startsAt <= due ? [eb('scheduled_for', 'is', null)] : [])]));
    }
    q = q.orderBy('user_id').limit(req.limit - picked.length);
    if (dialect === 'postgres') q = q.forUpdate().skipLocked();
    picked.push(...((await q.execute()) as UserMigration[]));
  }
  return picked;
}

/** How many users the phase may still take (the progress total; leases ignored). */
export async function countPending(db: MigrationDb, req: Pick<ClaimRequest, 'subscriptionId' | 'admins' | 'userIds' | 'includeFailed'>): Promise<number> {
  let q = db.selectFrom('mig_users').select((eb) => eb.fn.countAll<number>().as('n')).where('subscription_id', '=', req.subscriptionId).where('admin', '=', req.admins ? 1 : 0)
    .where('state', 'in', ['eligible', 'migrating', ...(req.includeFailed ? ['failed'] : [])]);
  if (req.userIds) q = q.where(inList(dialectOf(db), 'user_id', req.userIds));
  return Number((await q.executeTakeFirstOrThrow()).n);
}
