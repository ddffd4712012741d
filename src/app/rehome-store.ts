import { openStoreWith, openStoreWithoutMigratingWith, type StoreAdapter, type StoreOptions } from '../store/open-store.ts';
import { migrations } from './schema-migrations.ts';

export type { StoreAdapter, StoreOptions } from '../store/open-store.ts';

/**
 * Rehome's store: the adapter the options name, with every feature's tables brought up to date (the features
 * register their schema steps in schema-migrations.ts; the store itself knows none of them).
 */
export function openStore(options: StoreOptions): Promise<StoreAdapter> {
  return openStoreWith(options, migrations);
}

/** Without touching the schema: for tools that report pending migrations and for tests. */
export function openStoreWithoutMigrating(options: StoreOptions): Promise<StoreAdapter> {
  return openStoreWithoutMigratingWith(options, migrations);
}
