import { sql } from 'kysely';
import { nextUserState, type UserState } from '../core/migration/states.ts';
import { dialectOf, insertJsonRows, jsonList, type JsonColumn, type SqlDialectName } from '../ims/directory/json-rows.ts';
import type { MigrationDb, MigrationTx, UserMigration } from './migration-repo.ts';

/** The one step row a batched user gets: it covers the three calls of the per-user path (account, grant, link). */
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
}

export interface ClaimRequest {
  subscriptionId: string;
  admins: boolean;
  limit: number;
  /** Lease holder (the worker); must differ between processes running at once. */
  owner: string;
  leaseMs: number;
  at: Date;
  actor: string;
  batchId: string;
  /**
   * `recover`: users left `migrating` by a crash — unleased (the per-user path), leased by this owner, or whose
   * lease ran out. `fresh`: eligible users only.
   */
  kind: 'recover' | 'fresh';
  /** Only these users (Migrate Now); then `failed` users are claimed too. */
  userIds?: string[];
  /** Only users whose scheduled time has come. */
  scheduledOnly?: boolean;
}

/**
 * Step 1 of the crash-safe protocol for a whole batch, in ONE transaction: picks up to `limit` users, moves each to
 * `migrating` (attempt + 1, leased to the worker), records its step `started` with the idempotency key
 * `<subscription>:<user>`, and writes one audit row per user. On PostgreSQL the pick is `FOR UPDATE SKIP LOCKED`,
 * so workers racing for the same rows never both take one.
 */
export async function claimBatch(db: MigrationDb, req: ClaimRequest): Promise<ClaimedUser[]> {
  const dialect = dialectOf(db);
  return db.transaction().execute(async (tx) => {
    const picked = await pickUsers(tx, dialect, req);
    const claimed = picked.flatMap((u): ClaimedUser[] => {
      const t = nextUserState(u.state, 'start');
      return t.ok ? [{ ...u, from: u.state, state: t.to, attempt: u.attempt + 1 }] : [];
    });
    if (claimed.length === 0) return [];
    const at = req.at.toISOString();
    const until = new Date(req.at.getTime() + req.leaseMs).toISOString();
    await tx.updateTable('mig_users')
      .set((eb) => ({ state: 'migrating', attempt: eb('attempt', '+', 1), error_code: null, error_message: null, retryable: 0, lease_owner: req.owner, lease_until: until, updated_at: at }))
      .where('subscription_id', '=', req.subscriptionId).where('user_id', 'in', jsonList(dialect, claimed.map((u) => u.user_id))).execute();
    await insertJsonRows(tx, 'mig_steps', STEP_COLUMNS, claimed.map((u) => [u.subscription_id, u.user_id, BATCH_STEP, `${u.subscription_id}:${u.user_id}`, u.attempt, 'started', at]), { dialect });
    await insertJsonRows(tx, 'audit_log', AUDIT_COLUMNS, claimed.map((u) => [
      at, req.actor, 'user:start', u.subscription_id, u.user_id,
      JSON.stringify({ from: u.from, to: 'migrating', attempt: u.attempt, resumed: u.from === 'migrating', batch: req.batchId }),
    ]), { dialect });
    for (const u of claimed) Object.assign(u, { lease_owner: req.owner, lease_until: until, updated_at: at, error_code: null, error_message: null, retryable: 0 });
    return claimed;
  });
}

async function pickUsers(tx: MigrationTx, dialect: SqlDialectName, req: ClaimRequest): Promise<UserMigration[]> {
  const now = req.at.toISOString();
  let q = tx.selectFrom('mig_users').selectAll().where('subscription_id', '=', req.subscriptionId).where('admin', '=', req.admins ? 1 : 0);
  const reclaimable = sql<boolean>`(state = 'migrating' and (lease_owner is null or lease_owner = ${req.owner} or lease_until < ${now}))`;
  if (req.userIds) {
    q = q.where('user_id', 'in', jsonList(dialect, req.userIds)).where((eb) => eb.or([eb('state', 'in', ['eligible', 'failed']), reclaimable]));
  } else if (req.kind === 'recover') {
    q = q.where(reclaimable);
  } else {
    // One state per query keeps the pick on the (subscription, state, admin, user) index, in key order.
    q = q.where('state', '=', 'eligible');
  }
  if (req.scheduledOnly) q = q.where('scheduled_for', '<=', now);
  q = q.orderBy('user_id').limit(req.limit);
  if (dialect === 'postgres') q = q.forUpdate().skipLocked();
  return (await q.execute()) as UserMigration[];
}

/** How many users a pass may still take (the progress total). */
export async function countPending(db: MigrationDb, subscriptionId: string, admins: boolean, userIds: string[] | undefined): Promise<number> {
  let q = db.selectFrom('mig_users').select((eb) => eb.fn.countAll<number>().as('n')).where('subscription_id', '=', subscriptionId).where('admin', '=', admins ? 1 : 0);
  q = userIds ? q.where('user_id', 'in', jsonList(dialectOf(db), userIds)).where('state', 'in', ['eligible', 'failed', 'migrating']) : q.where('state', 'in', ['eligible', 'migrating']);
  return Number((await q.executeTakeFirstOrThrow()).n);
}
