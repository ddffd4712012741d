import { sql } from 'kysely';
import { dialectOf, inList, insertJsonRows, stageJsonRows, type JsonColumn, type StagedRows, type SqlDialectName } from '../store/bulk-sql.ts';
import { AUDIT_COLUMNS, type ClaimedUser } from './batch-claim.ts';
import type { MigrationDb, MigrationTx } from './migration-repo.ts';

/** What happened to one user of a batch; `step` names the call that failed (account, grant or link). */
export type BatchOutcome =
  | { user: ClaimedUser; ok: true; subject: string; created: boolean }
  | { user: ClaimedUser; ok: false; step: 'ims:account' | 'ims:grant' | 'product:link'; code: string; message: string; retryable: boolean };

export interface RecordContext {
  subscriptionId: string;
  owner: string;
  at: string;
  actor: string;
  batchId: string;
}

const MIGRATED: JsonColumn[] = [{ name: 'user_id', pg: 'text' }, { name: 'attempt', pg: 'integer' }, { name: 'subject', pg: 'text' }];
const FAILED: JsonColumn[] = [
  { name: 'user_id', pg: 'text' }, { name: 'attempt', pg: 'integer' }, { name: 'code', pg: 'text' }, { name: 'message', pg: 'text' }, { name: 'retryable', pg: 'integer' },
];
const STEPS: JsonColumn[] = [{ name: 'id', pg: 'bigint' }, { name: 'status', pg: 'text' }, { name: 'result', pg: 'text' }, { name: 'code', pg: 'text' }];

/**
 * Step 3 of the protocol for a whole batch, in ONE transaction: each user's outcome (migrated with its IMS subject,
 * or failed with its code), its step finished, one audit row per user. Only rows this worker still holds at this
 * attempt change: a user another worker took over after our lease ran out is left to that worker, which reconciles
 * it by externalId. Returns the users recorded.
 */
export async function recordOutcomes(db: MigrationDb, ctx: RecordContext, outcomes: BatchOutcome[]): Promise<BatchOutcome[]> {
  if (outcomes.length === 0) return [];
  const dialect = dialectOf(db);
  return db.transaction().execute(async (tx) => {
    const migrated = outcomes.filter((o): o is Extract<BatchOutcome, { ok: true }> => o.ok);
    const failed = outcomes.filter((o): o is Extract<BatchOutcome, { ok: false }> => !o.ok);
    const held = new Set<string>();
    if (migrated.length > 0) {
      const v = await stageJsonRows(tx, 'rehome_batch_migrated', MIGRATED, migrated.map((o) => [o.user.user_id, o.user.attempt, o.subject]), dialect);
      const rows = await sql<{ user_id: string }>`
        update mig_users set state = 'migrated', ims_subject = v.subject, lease_owner = null, lease_until = null, updated_at = ${ctx.at}
        from ${v.source} as v
        where ${heldBy(ctx, v, dialect, migrated.map((o) => o.user.user_id))}
        returning mig_users.user_id`.execute(tx);
      for (const r of rows.rows) held.add(r.user_id);
    }
    if (failed.length > 0) {
      const v = await stageJsonRows(tx, 'rehome_batch_failed', FAILED, failed.map((o) => [o.user.user_id, o.user.attempt, o.code, o.message, o.retryable ? 1 : 0]), dialect);
      const rows = await sql<{ user_id: string }>`
        update mig_users set state = 'failed', error_code = v.code, error_message = v.message, retryable = v.retryable, lease_owner = null, lease_until = null, updated_at = ${ctx.at}
        from ${v.source} as v
        where ${heldBy(ctx, v, dialect, failed.map((o) => o.user.user_id))}
        returning mig_users.user_id`.execute(tx);
      for (const r of rows.rows) held.add(r.user_id);
    }
    const recorded = outcomes.filter((o) => held.has(o.user.user_id));
    await finishSteps(tx, dialect, ctx, recorded);
    await insertJsonRows(tx, 'audit_log', AUDIT_COLUMNS, recorded.map((o) => [
      ctx.at, ctx.actor, o.ok ? 'user:succeed' : 'user:fail', ctx.subscriptionId, o.user.user_id,
      JSON.stringify(o.ok
        ? { from: 'migrating', to: 'migrated', subject: o.subject, created: o.created, batch: ctx.batchId }
        : { from: 'migrating', to: 'failed', step: o.step, code: o.code, retryable: o.retryable, batch: ctx.batchId }),
    ]), { dialect });
    return recorded;
  });
}

function heldBy(ctx: RecordContext, v: StagedRows, dialect: SqlDialectName, userIds: string[]) {
  // On PostgreSQL the id list is an index condition too: the update then touches the batch's rows by key.
  const byKey = dialect === 'postgres' ? inList(dialect, 'mig_users.user_id', userIds) : v.keyIn('mig_users.user_id');
  return sql`mig_users.subscription_id = ${ctx.subscriptionId} and ${byKey} and mig_users.user_id = v.user_id and mig_users.attempt = v.attempt
    and mig_users.state = 'migrating' and mig_users.lease_owner = ${ctx.owner}`;
}

async function finishSteps(tx: MigrationTx, dialect: SqlDialectName, ctx: RecordContext, recorded: BatchOutcome[]): Promise<void> {
  if (recorded.length === 0) return;
  const rows = recorded.map((o) => o.ok
    ? [o.user.step_id, 'succeeded', JSON.stringify({ subject: o.subject, created: o.created, profile: true, batch: ctx.batchId }), null]
    : [o.user.step_id, 'failed', JSON.stringify({ step: o.step, batch: ctx.batchId }), o.code]);
  // By primary key: the one plan that stays right however stale the table's statistics are.
  const v = await stageJsonRows(tx, 'rehome_batch_steps', STEPS, rows, dialect);
  await sql`
    update mig_steps set status = v.status, result = v.result, error_code = v.code, finished_at = ${ctx.at}
    from ${v.source} as v
    where ${v.keyIn('mig_steps.id')} and mig_steps.id = v.id and mig_steps.status = 'started'`.execute(tx);
}
