import type { StoreAdapter } from './kysely-store.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import { StoreError } from './store-error.ts';
import type { Migration } from './migrations/migration.ts';

export type { StoreAdapter } from './kysely-store.ts';

export type StoreOptions = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * Opens the adapter with the schema steps of the features that keep tables in it (`migrations`) and brings its schema up to date before handing it out. Refuses (and closes the
 * connection) when the database is newer than this code (`store_newer_than_code`) or a migration fails
 * (`migration_failed`); `store_unavailable` when the database cannot be opened.
 */
export async function openStoreWith(options: StoreOptions, migrations: readonly Migration[]): Promise<StoreAdapter> {
  const store = await openStoreWithoutMigratingWith(options, migrations);
  try {
    const results = await store.migrate();
    const failed = results.find((result) => result.status === 'failed');
    if (failed !== undefined) {
      throw new StoreError('migration_failed', `migration ${failed.name} failed and was rolled back: ${failed.error}`);
    }
    return store;
  } catch (error) {
    await store[Symbol.asyncDispose]();
    if (error instanceof StoreError) throw error;
    throw new StoreError('store_unavailable', `cannot prepare the ${options.kind} store: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Opens the adapter without touching the schema: for tools that report pending migrations and for tests. Anything
 * that reads or writes Rehome's tables should use `openStore`.
 */
export async function openStoreWithoutMigratingWith(options: StoreOptions, migrations: readonly Migration[]): Promise<StoreAdapter> {
  return options.kind === 'sqlite' ? openSqliteStore(options.path, migrations) : await openPostgresStore(options.url, migrations);
}
