import type { RehomeConfig } from '../config/config.ts';
import { openStore } from '../app/rehome-store.ts';
import type { StoreAdapter } from '../app/rehome-store.ts';

/** Opens (and migrates) the store the configuration names. */
export function openConfiguredStore(config: RehomeConfig): Promise<StoreAdapter> {
  return config.store.kind === 'postgres'
    ? openStore({ kind: 'postgres', url: config.store.url! })
    : openStore({ kind: 'sqlite', path: config.store.path });
}
