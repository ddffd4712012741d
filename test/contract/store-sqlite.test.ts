import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStore, type StoreAdapter, type StoreOptions } from '../../src/app/rehome-store.ts';
import { manyUsers, runStoreContract, snapshotInput } from './store.contract.ts';

runStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rehome-store-'));
  const path = join(dir, 'nested', 'dir', 'rehome.db');
  const store = await openStore({ kind: 'sqlite', path });
  const opened: StoreAdapter[] = [];
  let n = 0;
  return {
    store,
    async reopen() {
      const other = await openStore({ kind: 'sqlite', path });
      opened.push(other);
      return other;
    },
    async emptyDatabase(): Promise<StoreOptions> {
      return { kind: 'sqlite', path: join(dir, `empty-${n++}.db`) };
    },
    async cleanup() {
      for (const other of opened) await other[Symbol.asyncDispose]();
      await store[Symbol.asyncDispose]();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('sqlite: openStore creates the parent directory and uses WAL', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rehome-store-'));
  try {
    const path = join(dir, '.rehome', 'rehome.db');
    await using store = await openStore({ kind: 'sqlite', path });
    assert.ok(existsSync(path));
    const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.kysely);
    assert.equal(rows[0]?.journal_mode, 'wal');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sqlite: :memory: works', async () => {
  await using store = await openStore({ kind: 'sqlite', path: ':memory:' });
  const input = snapshotInput('sub-memory', '2024-05-01T10:00:00.000Z', manyUsers(3), []);
  const ref = await store.saveSnapshot(input);
  assert.deepEqual((await store.loadSnapshot({ snapshotId: ref.id }))?.users, input.users);
});

test('sqlite: an unopenable path is store_unavailable', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rehome-store-'));
  try {
    await assert.rejects(openStore({ kind: 'sqlite', path: dir }), { name: 'StoreError', code: 'store_unavailable' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
