import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Presents `node:sqlite`'s DatabaseSync as the better-sqlite3 subset Kysely's SqliteDialect drives, so Kysely
 * needs no native addon. node:sqlite cannot bind booleans or `undefined`: they go in as 0/1 and NULL.
 * `run()` reports bigint counts and ids; Kysely accepts both.
 */
export function wrapDatabaseSync(db: DatabaseSync): SqliteDatabase {
  return {
    close() {
      if (db.isOpen) db.close();
    },
    prepare(sql: string): SqliteStatement {
      const stmt = db.prepare(sql);
      return {
        reader: stmt.columns().length > 0,
        all: (parameters) => stmt.all(...toSqliteValues(parameters)),
        run: (parameters) => stmt.run(...toSqliteValues(parameters)),
        iterate: (parameters) => stmt.iterate(...toSqliteValues(parameters)),
      };
    },
  };
}

export function toSqliteValues(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map(toSqliteValue);
}

function toSqliteValue(value: unknown): SQLInputValue {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value as SQLInputValue;
}
