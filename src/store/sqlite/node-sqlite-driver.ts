import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Presents `node:sqlite`'s DatabaseSync as the better-sqlite3 subset Kysely's SqliteDialect drives, so Kysely
 * needs no native addon. node:sqlite cannot bind booleans or `undefined`: they go in as 0/1 and NULL.
 * `run()` reports bigint counts and ids; Kysely accepts both.
 */
export function wrapDatabaseSync(db: DatabaseSync): SqliteDatabase {
  // Kysely prepares every query anew; compiling the same SQL again was the largest single cost of an IMS sign-in.
  // Prepared statements are kept per SQL text (bounded); `iterate` gets its own, since a cursor must not be reset
  // by another query using the same statement.
  const cache = new Map<string, { stmt: StatementSync; reader: boolean }>();
  const prepared = (sql: string) => {
    let hit = cache.get(sql);
    if (!hit) {
      const stmt = db.prepare(sql);
      hit = { stmt, reader: stmt.columns().length > 0 };
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, hit);
    }
    return hit;
  };
  return {
    close() {
      cache.clear();
      if (db.isOpen) db.close();
    },
    prepare(sql: string): SqliteStatement {
      // Kysely opens transactions with a deferred `begin`. In WAL mode a deferred transaction that read first and then
      // writes fails at once ("database is locked") when another process holds the write lock, without waiting for
      // busy_timeout; `begin immediate` takes the write lock up front and waits its turn.
      if (/^\s*begin\s*;?\s*$/i.test(sql)) sql = 'begin immediate';
      const { stmt, reader } = prepared(sql);
      return {
        reader,
        all: (parameters) => stmt.all(...toSqliteValues(parameters)),
        run: (parameters) => stmt.run(...toSqliteValues(parameters)),
        iterate: (parameters) => db.prepare(sql).iterate(...toSqliteValues(parameters)),
      };
    },
  };
}

const STATEMENT_CACHE_SIZE = 500;

export function toSqliteValues(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map(toSqliteValue);
}

function toSqliteValue(value: unknown): SQLInputValue {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value as SQLInputValue;
}
