import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type StoreOptions } from '../../../src/app/rehome-store.ts';

export const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, uniquely named database (SQLite file or PostgreSQL database) and a way to drop it. */
export interface TestDatabase {
  options: StoreOptions;
  open(): ReturnType<typeof openStore>;
  drop(): Promise<void>;
}

export function sqliteTestDatabase(label: string): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), `rehome-${label}-`));
  const options: StoreOptions = { kind: 'sqlite', path: join(dir, 'rehome.db') };
  return {
    options,
    open: () => openStore(options),
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresTestDatabase(label: string): Promise<TestDatabase> {
  const name = `rehome_${label}_${process.pid}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const options: StoreOptions = { kind: 'postgres', url: `postgres://postgres@127.0.0.1:5432/${name}` };
  return {
    options,
    open: () => openStore(options),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
