import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Migration } from '../migrations/migration.ts';
import { createKyselyStore, type SnapshotRowTable, type StoreAdapter, type StoreDialect } from '../kysely-store.ts';
import { StoreError } from '../store-error.ts';
import { wrapDatabaseSync } from './node-sqlite-driver.ts';
import { prepareStoreFile } from './store-file-permissions.ts';

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 10_000;
const SQLITE_CONSTRAINT = 19;

/**
 * Opens (creating it 0600 and its directory 0700 if missing) a SQLite database through node:sqlite; refuses a store
 * open to group or others (`store_permissions`, ./store-file-permissions.ts). WAL lets readers run beside the one
 * writer; the busy timeout makes concurrent processes wait instead of failing. Does not migrate.
 */
export function openSqliteStore(path: string, migrations: readonly Migration[]): StoreAdapter {
  const db = openDatabase(path);
  const kysely = new Kysely<any>({ dialect: new SqliteDialect({ database: wrapDatabaseSync(db) }) });
  const inserts = new Map<string, StatementSync>();

  // Raw DatabaseSync work below always runs inside a Kysely transaction or connection, which holds Kysely's
  // single-connection mutex, so it never interleaves with another query on this handle.
  const dialect: StoreDialect = {
    dialect: 'sqlite',
    kysely,
    beginLocked: async (conn) => {
      await sql`begin immediate`.execute(conn);
    },
    execScript: async (_conn, script) => {
      db.exec(script);
    },
    insertSnapshotRows: async (_trx, table, snapshotId, offset, rows) => {
      const insert = insertStatement(table);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        insert.run(snapshotId, offset + i, row.key, row.email, row.json);
      }
    },
    readSnapshotRows: (table, snapshotId) =>
      kysely.connection().execute(async () => {
        const select = db.prepare(`select data from ${table.name} where snapshot_id = ? order by ord`);
        select.setReturnArrays(true);
        const rows = select.all(snapshotId) as unknown as [string][];
        return rows.map((row) => JSON.parse(row[0]) as unknown);
      }),
    isDataRejected: (error) =>
      typeof (error as { errcode?: unknown })?.errcode === 'number' &&
      ((error as { errcode: number }).errcode & 0xff) === SQLITE_CONSTRAINT,
    destroy: async () => {
      await kysely.destroy();
      if (db.isOpen) db.close();
    },
  };
  return createKyselyStore(dialect, migrations);

  function insertStatement(table: SnapshotRowTable): StatementSync {
    let insert = inserts.get(table.name);
    if (insert === undefined) {
      insert = db.prepare(`insert into ${table.name} (snapshot_id, ord, ${table.keyColumn}, email, data) values (?, ?, ?, ?, ?)`);
      inserts.set(table.name, insert);
    }
    return insert;
  }
}

function openDatabase(path: string): DatabaseSync {
  const inMemory = path === ':memory:' || path === '';
  try {
    if (!inMemory) prepareStoreFile(path);
    const db = new DatabaseSync(path);
    try {
      // A 64 MB page cache keeps the snapshot indexes in memory while a million rows go in (default is 2 MB).
      db.exec(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}; pragma foreign_keys = on; pragma cache_size = -65536;`);
      // WAL with synchronous=NORMAL: a commit survives any crash of the process (the crash tests kill it with SIGKILL);
      // only a power loss can drop the last commits, which resume then redoes idempotently. ~3.5x faster than FULL.
      if (!inMemory) db.exec('pragma journal_mode = wal; pragma synchronous = normal;');
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('store_unavailable', `cannot open the SQLite database at ${path}: ${(error as Error).message}`, { cause: error });
  }
}
