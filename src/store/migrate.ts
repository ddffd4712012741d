import { sql, type Kysely } from 'kysely';
import type { Migration } from './migrations/migration.ts';
import type { MigrationResult } from './store.ts';
import { StoreError } from './store-error.ts';

/** What the migration runner needs from a dialect. */
export interface MigrationDialect {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Opens a transaction that holds the store-wide migration lock until it ends: `begin immediate` on SQLite (the
   * write lock, waited for through busy_timeout), `begin` + `pg_advisory_xact_lock` on PostgreSQL, so several
   * processes starting at once apply each migration exactly once.
   */
  beginLocked(conn: Kysely<any>): Promise<void>;
  /** Runs a script of several statements on `conn`. */
  execScript(conn: Kysely<any>, script: string): Promise<void>;
}

const MIGRATIONS_TABLE: Record<MigrationDialect['dialect'], string> = {
  sqlite: `create table if not exists rehome_migrations (
    name text primary key,
    applied_at text not null default (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`,
  postgres: `create table if not exists rehome_migrations (
    name text primary key,
    applied_at timestamptz not null default now()
  )`,
};

/**
 * Applies the pending migrations in order, each in its own transaction, and stops at the first that fails (it is
 * rolled back and reported, the ones after it are not run). Throws `store_newer_than_code` when the database holds
 * a migration `list` does not know: this code is older than the schema and must not write to it.
 */
export async function runMigrations(
  kysely: Kysely<any>,
  dialect: MigrationDialect,
  list: readonly Migration[],
): Promise<MigrationResult[]> {
  return kysely.connection().execute(async (conn) => {
    const applied = await inLockedTransaction(dialect, conn, async () => {
      await dialect.execScript(conn, MIGRATIONS_TABLE[dialect.dialect]);
      const names = await readApplied(conn);
      rejectUnknownMigrations(names, list);
      return names;
    });
    const results: MigrationResult[] = [];
    for (const migration of list) {
      if (applied.has(migration.name)) continue;
      try {
        const ran = await inLockedTransaction(dialect, conn, async () => {
          // Another process may have applied it while this one waited for the lock.
          if ((await readApplied(conn)).has(migration.name)) return false;
          await dialect.execScript(conn, migration[dialect.dialect]);
          await conn.insertInto('rehome_migrations').values({ name: migration.name }).execute();
          return true;
        });
        if (ran) results.push({ name: migration.name, status: 'applied' });
      } catch (error) {
        results.push({ name: migration.name, status: 'failed', error: error instanceof Error ? error.message : String(error) });
        break;
      }
    }
    return results;
  });
}

async function inLockedTransaction<T>(dialect: MigrationDialect, conn: Kysely<any>, work: () => Promise<T>): Promise<T> {
  await dialect.beginLocked(conn);
  try {
    const result = await work();
    await sql`commit`.execute(conn);
    return result;
  } catch (error) {
    await sql`rollback`.execute(conn);
    throw error;
  }
}

async function readApplied(conn: Kysely<any>): Promise<Set<string>> {
  const rows = await conn.selectFrom('rehome_migrations').select('name').execute();
  return new Set(rows.map((row) => String(row.name)));
}

function rejectUnknownMigrations(applied: Set<string>, list: readonly Migration[]): void {
  const known = new Set(list.map((migration) => migration.name));
  const unknown = [...applied].filter((name) => !known.has(name)).sort();
  if (unknown.length > 0) {
    throw new StoreError(
      'store_newer_than_code',
      `The database was migrated by a newer Rehome (unknown migrations: ${unknown.join(', ')}); upgrade Rehome to use it.`,
    );
  }
}
