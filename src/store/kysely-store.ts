import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { ImsAccount, ImsDirectory, ProductUser, Subscription } from '../core/model.ts';
import type { ReadinessReport } from '../core/readiness/report.ts';
import { canonicalJson } from './canonical-json.ts';
import { runMigrations, type MigrationDialect } from './migrate.ts';
import type { Migration } from './migrations/migration.ts';
import { decodeCount, decodeInstant, decodeJson, normalizeInstant } from './row-values.ts';
import { SnapshotDigest } from './snapshot-digest.ts';
import type { AuditEntry, AuditFilter, AuditInput, SnapshotInput, SnapshotRef, Store, StoredSnapshot } from './store.ts';
import { StoreError } from './store-error.ts';

/** A snapshot whose users arrive one by one (a file read in chunks); the rest as in `SnapshotInput`. */
export type StreamedSnapshotInput = Omit<SnapshotInput, 'users'> & { users: Iterable<ProductUser> };

/** A Store plus the Kysely instance on the same database, for modules that keep their own tables in it. */
export type StoreAdapter = Store & {
  readonly kysely: Kysely<any>;
  /**
   * `saveSnapshot` for users that are never all in memory: each batch is written as it fills. When the iteration
   * throws (a problem in the file), the transaction is rolled back and nothing is stored.
   */
  saveSnapshotStream(input: StreamedSnapshotInput): Promise<SnapshotRef>;
};

/** The two bulk tables of a snapshot and the column each keys its rows by. */
export type SnapshotRowTable =
  | { name: 'snapshot_users'; keyColumn: 'user_id' }
  | { name: 'snapshot_ims_accounts'; keyColumn: 'account_id' };

/** One user or account ready to insert: its key, its email and its canonical JSON. */
export interface SnapshotRow {
  key: string;
  email: string;
  json: string;
}

/** The dialect-specific parts; everything else in this file is SQL both dialects share. */
export interface StoreDialect extends MigrationDialect {
  readonly kysely: Kysely<any>;
  /** Inserts one batch, numbered `ord = offset + i`, inside `trx` (bulk paths bypass Kysely's per-row cost). */
  insertSnapshotRows(trx: Transaction<any>, table: SnapshotRowTable, snapshotId: string, offset: number, rows: SnapshotRow[]): Promise<void>;
  /** Every row's parsed `data`, in `ord` order. */
  readSnapshotRows(table: SnapshotRowTable, snapshotId: string): Promise<unknown[]>;
  /** True when the database refused a write because of the data (a constraint, a value it cannot hold). */
  isDataRejected(error: unknown): boolean;
  destroy(): Promise<void>;
}

const USERS: SnapshotRowTable = { name: 'snapshot_users', keyColumn: 'user_id' };
const ACCOUNTS: SnapshotRowTable = { name: 'snapshot_ims_accounts', keyColumn: 'account_id' };
const BATCH_SIZE = 10_000;
const SNAPSHOT_REF_COLUMNS = ['id', 'subscription_id', 'at', 'digest', 'user_count', 'ims_account_count'] as const;

/**
 * `migrations`: the schema steps of every feature that keeps tables in this store, in the order they run. The store
 * knows none of them itself: each feature registers its own (src/app/schema-migrations.ts lists Rehome's).
 */
export function createKyselyStore(dialect: StoreDialect, migrations: readonly Migration[]): StoreAdapter {
  const db = dialect.kysely;
  let disposed: Promise<void> | undefined;

  return {
    dialect: dialect.dialect,
    kysely: db,

    migrate: () => runMigrations(db, dialect, migrations),

    saveSnapshot: (input: SnapshotInput) => saveSnapshotRows(input),
    saveSnapshotStream: (input: StreamedSnapshotInput) => saveSnapshotRows(input),

    async loadSnapshot(query): Promise<StoredSnapshot | undefined> {
      let select = db.selectFrom('snapshots').selectAll();
      select = 'snapshotId' in query
        ? select.where('id', '=', query.snapshotId)
        : select.where('subscription_id', '=', query.subscriptionId).orderBy('at', 'desc').orderBy('seq', 'desc').limit(1);
      const row = await select.executeTakeFirst();
      if (row === undefined) return undefined;
      const [accounts, users] = await Promise.all([
        dialect.readSnapshotRows(ACCOUNTS, row.id),
        dialect.readSnapshotRows(USERS, row.id),
      ]);
      return {
        ...toSnapshotRef(row),
        subscription: decodeJson<Subscription>(row.subscription),
        users: users as ProductUser[],
        ims: { ...decodeJson<Omit<ImsDirectory, 'accounts'>>(row.ims_meta), accounts: accounts as ImsAccount[] },
        sources: decodeJson<Record<string, string>>(row.sources),
      };
    },

    async listSnapshots(subscriptionId?: string): Promise<SnapshotRef[]> {
      let select = db.selectFrom('snapshots').select(SNAPSHOT_REF_COLUMNS);
      if (subscriptionId !== undefined) select = select.where('subscription_id', '=', subscriptionId);
      const rows = await select.orderBy('at', 'desc').orderBy('seq', 'desc').execute();
      return rows.map(toSnapshotRef);
    },

    async saveReadinessRun(input: { snapshotIds: string[]; report: ReadinessReport; at: string }): Promise<string> {
      const at = normalizeInstant(input.at, 'at');
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        await rejectMissingSnapshots(trx, input.snapshotIds);
        await trx.insertInto('readiness_runs').values({ id, at, report: JSON.stringify(input.report) }).execute();
        if (input.snapshotIds.length > 0) {
          await trx
            .insertInto('readiness_run_snapshots')
            .values(input.snapshotIds.map((snapshotId, ord) => ({ run_id: id, ord, snapshot_id: snapshotId })))
            .execute();
        }
      });
      return id;
    },

    async loadReadinessRun(id: string) {
      const row = await db.selectFrom('readiness_runs').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) return undefined;
      const links = await db.selectFrom('readiness_run_snapshots').select('snapshot_id').where('run_id', '=', id).orderBy('ord').execute();
      return {
        id: String(row.id),
        snapshotIds: links.map((link) => String(link.snapshot_id)),
        at: decodeInstant(row.at),
        report: decodeJson<ReadinessReport>(row.report),
      };
    },

    async appendAudit(entry: AuditInput): Promise<AuditEntry> {
      const at = normalizeInstant(entry.at, 'at');
      for (const field of ['actor', 'action'] as const) {
        if (typeof entry[field] !== 'string' || entry[field] === '') {
          throw new StoreError('invalid_input', `${field} must be a non-empty string`);
        }
      }
      const row = await db
        .insertInto('audit_log')
        .values({
          at,
          actor: entry.actor,
          action: entry.action,
          subscription_id: entry.subscriptionId ?? null,
          target: entry.target ?? null,
          details: JSON.stringify(entry.details ?? {}),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAuditEntry(row);
    },

    async listAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
      let select = db.selectFrom('audit_log').selectAll();
      if (filter.subscriptionId !== undefined) select = select.where('subscription_id', '=', filter.subscriptionId);
      if (filter.action !== undefined) select = select.where('action', '=', filter.action);
      if (filter.actor !== undefined) select = select.where('actor', '=', filter.actor);
      if (filter.sinceSeq !== undefined) select = select.where('seq', '>', filter.sinceSeq);
      select = select.orderBy('seq');
      if (filter.limit !== undefined) select = select.limit(filter.limit);
      return (await select.execute()).map(toAuditEntry);
    },

    [Symbol.asyncDispose](): Promise<void> {
      disposed ??= dialect.destroy();
      return disposed;
    },
  };

  async function saveSnapshotRows(input: StreamedSnapshotInput): Promise<SnapshotRef> {
    const at = normalizeInstant(input.at, 'at');
    const { subscription, users, ims } = input;
    if (typeof subscription?.id !== 'string' || subscription.id === '') {
      throw new StoreError('snapshot_invalid', 'subscription.id must be a non-empty string');
    }
    const { accounts, ...imsRest } = ims;
    const id = randomUUID();
    const digest = new SnapshotDigest();
    try {
      await db.transaction().execute(async (trx) => {
        await upsertSubscription(trx, subscription, at);
        await trx
          .insertInto('snapshots')
          .values({
            id,
            subscription_id: subscription.id,
            at,
            digest: '',
            sources: JSON.stringify(input.sources ?? {}),
            subscription: JSON.stringify(subscription),
            ims_meta: JSON.stringify(imsRest),
            user_count: 0,
            ims_account_count: accounts.length,
          })
          .execute();
        digest.beginAccounts(imsRest);
        await writeRows(trx, ACCOUNTS, id, accounts, toAccountRow, digest);
        digest.beginUsers(subscription);
        const userCount = await writeRows(trx, USERS, id, users, toUserRow, digest);
        // The count and the digest are only known once every row has streamed through; they land in the same
        // transaction.
        await trx.updateTable('snapshots').set({ digest: digest.finish(), user_count: userCount }).where('id', '=', id).execute();
      });
    } catch (error) {
      if (error instanceof StoreError) throw error;
      if (dialect.isDataRejected(error)) {
        throw new StoreError('snapshot_invalid', `snapshot refused by the database: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
    const stored = await db.selectFrom('snapshots').select(SNAPSHOT_REF_COLUMNS).where('id', '=', id).executeTakeFirstOrThrow();
    return toSnapshotRef(stored);
  }

  /** Writes `items` in batches as they come; returns how many there were. */
  async function writeRows<T>(
    trx: Transaction<any>,
    table: SnapshotRowTable,
    snapshotId: string,
    items: Iterable<T>,
    toRow: (item: T, index: number) => SnapshotRow,
    digest: SnapshotDigest,
  ): Promise<number> {
    let batch: SnapshotRow[] = [];
    let offset = 0;
    let i = 0;
    for (const item of items) {
      const row = toRow(item, i++);
      digest.addItem(row.json);
      batch.push(row);
      if (batch.length === BATCH_SIZE) {
        await dialect.insertSnapshotRows(trx, table, snapshotId, offset, batch);
        offset += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await dialect.insertSnapshotRows(trx, table, snapshotId, offset, batch);
    return i;
  }
}

function toUserRow(user: ProductUser, index: number): SnapshotRow {
  if (typeof user?.id !== 'string' || user.id === '') {
    throw new StoreError('snapshot_invalid', `users[${index}].id must be a non-empty string`);
  }
  if (typeof user.email !== 'string') throw new StoreError('snapshot_invalid', `users[${index}].email must be a string`);
  rejectNul(user.id, user.email, `users[${index}]`);
  return { key: user.id, email: user.email, json: canonicalJson(user) };
}

/** IMS exports may omit the ID column, so an account id may be empty. */
function toAccountRow(account: ImsAccount, index: number): SnapshotRow {
  if (typeof account?.id !== 'string') throw new StoreError('snapshot_invalid', `ims.accounts[${index}].id must be a string`);
  if (typeof account.email !== 'string') throw new StoreError('snapshot_invalid', `ims.accounts[${index}].email must be a string`);
  rejectNul(account.id, account.email, `ims.accounts[${index}]`);
  return { key: account.id, email: account.email, json: canonicalJson(account) };
}

/** PostgreSQL text cannot hold NUL; refusing it on both dialects keeps them interchangeable. */
function rejectNul(id: string, email: string, where: string): void {
  if (id.includes('\u0000') || email.includes('\u0000')) {
    throw new StoreError('snapshot_invalid', `${where}: id and email must not contain NUL characters`);
  }
}

/** The subscriptions row follows the newest snapshot; saving an older one does not roll it back. */
async function upsertSubscription(trx: Transaction<any>, subscription: Subscription, at: string): Promise<void> {
  const name = typeof subscription.name === 'string' ? subscription.name : '';
  await trx
    .insertInto('subscriptions')
    .values({ id: subscription.id, name, data: JSON.stringify(subscription), updated_at: at })
    .onConflict((conflict) =>
      conflict
        .column('id')
        .doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), data: eb.ref('excluded.data'), updated_at: eb.ref('excluded.updated_at') }))
        .where((eb) => eb('subscriptions.updated_at', '<=', eb.ref('excluded.updated_at'))),
    )
    .execute();
}

async function rejectMissingSnapshots(trx: Transaction<any>, snapshotIds: string[]): Promise<void> {
  if (snapshotIds.length === 0) return;
  const found = await trx.selectFrom('snapshots').select('id').where('id', 'in', snapshotIds).execute();
  const known = new Set(found.map((row) => String(row.id)));
  const missing = snapshotIds.filter((id) => !known.has(id));
  if (missing.length > 0) throw new StoreError('snapshot_not_found', `unknown snapshot ids: ${missing.join(', ')}`);
}

function toSnapshotRef(row: Record<string, unknown>): SnapshotRef {
  return {
    id: String(row.id),
    subscriptionId: String(row.subscription_id),
    at: decodeInstant(row.at),
    userCount: decodeCount(row.user_count),
    imsAccountCount: decodeCount(row.ims_account_count),
    digest: String(row.digest),
  };
}

function toAuditEntry(row: Record<string, unknown>): AuditEntry {
  return {
    seq: decodeCount(row.seq),
    at: decodeInstant(row.at),
    actor: String(row.actor),
    action: String(row.action),
    subscriptionId: row.subscription_id === null ? null : String(row.subscription_id),
    target: row.target === null ? null : String(row.target),
    details: decodeJson<Record<string, unknown>>(row.details),
  };
}
