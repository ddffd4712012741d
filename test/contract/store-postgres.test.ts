import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { openStore, type StoreAdapter, type StoreOptions } from '../../src/app/rehome-store.ts';
import { runStoreContract } from './store.contract.ts';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

runStoreContract('postgres', async () => {
  const databases: string[] = [];
  async function createDatabase(): Promise<string> {
    const name = `rehome_test_${randomBytes(6).toString('hex')}`;
    await withAdmin((client) => client.query(`create database ${name}`));
    databases.push(name);
    return databaseUrl(name);
  }
  const url = await createDatabase();
  const store = await openStore({ kind: 'postgres', url });
  const opened: StoreAdapter[] = [];
  return {
    store,
    async reopen() {
      const other = await openStore({ kind: 'postgres', url });
      opened.push(other);
      return other;
    },
    async emptyDatabase(): Promise<StoreOptions> {
      return { kind: 'postgres', url: await createDatabase() };
    },
    async cleanup() {
      for (const other of opened) await other[Symbol.asyncDispose]();
      await store[Symbol.asyncDispose]();
      await withAdmin(async (client) => {
        for (const name of databases) await client.query(`drop database if exists ${name} with (force)`);
      });
    },
  };
});

test('postgres: an unreachable server is store_unavailable', async () => {
  await assert.rejects(openStore({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/nothing' }), {
    name: 'StoreError',
    code: 'store_unavailable',
  });
  await assert.rejects(openStore({ kind: 'postgres', url: databaseUrl('rehome_test_does_not_exist') }), {
    code: 'store_unavailable',
  });
});
