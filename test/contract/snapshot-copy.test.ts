import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { openStore, type StoreAdapter } from '../../src/app/rehome-store.ts';
import type { ProductUser } from '../../src/core/model.ts';
import { generatePopulation } from '../../src/population/generate-population.ts';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

/** Every stored row of a snapshot table, in order, as the database holds it. */
async function rows(store: StoreAdapter, table: string, key: string, snapshotId: string): Promise<unknown[]> {
  const result = await store.kysely.selectFrom(table).select(['ord', key, 'email', 'data']).where('snapshot_id', '=', snapshotId).orderBy('ord').execute();
  return result.map((r) => ({ ...r, ord: Number(r.ord), data: JSON.parse(String(r.data)) }));
}

test('a snapshot imported through COPY into PostgreSQL stores the rows SQLite stores, special characters included', async () => {
  const gen = generatePopulation({ users: 2500, seed: 7 });
  // What COPY's text format must escape, in ids, addresses and data (NUL is refused by both stores).
  const tricky: ProductUser[] = gen.users.slice(0, 4).map((u, i) => ({
    ...u,
    id: `tricky-${i}\\`,
    email: `tab\t${i}\\n@example.com`,
    firstName: 'line\nbreak\r\nand \\ back\tslash',
    attributes: { note: '\\.', 'a\tb': 'é ✓ 😀' },
  }));
  const users = [...tricky, ...gen.users.slice(4)];
  const input = { subscription: gen.subscription, ims: { accounts: gen.imsAccounts }, at: '2026-01-02T03:04:05.000Z', sources: { users: 'users.csv' } };
  const dir = mkdtempSync(join(tmpdir(), 'rehome-copy-'));
  const name = `rehome_copy_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  try {
    await using sqlite = await openStore({ kind: 'sqlite', path: join(dir, 's.db') });
    await using postgres = await openStore({ kind: 'postgres', url: ADMIN_URL.replace(/\/postgres$/, `/${name}`) });
    // Users streamed one by one, in batches that end mid-way (2,500 users, 10,000 per batch: one partial batch).
    const a = await sqlite.saveSnapshotStream({ ...input, users: users.values() });
    const b = await postgres.saveSnapshotStream({ ...input, users: users.values() });
    assert.equal(b.userCount, users.length);
    assert.equal(b.imsAccountCount, gen.imsAccounts.length);
    assert.equal(b.digest, a.digest);
    assert.deepEqual(await rows(postgres, 'snapshot_users', 'user_id', b.id), await rows(sqlite, 'snapshot_users', 'user_id', a.id));
    assert.deepEqual(await rows(postgres, 'snapshot_ims_accounts', 'account_id', b.id), await rows(sqlite, 'snapshot_ims_accounts', 'account_id', a.id));
    const loaded = await postgres.loadSnapshot({ snapshotId: b.id });
    assert.deepEqual(loaded?.users, users);
    // The array path (saveSnapshot) and the streamed path store the same snapshot.
    const c = await postgres.saveSnapshot({ ...input, users });
    assert.equal(c.digest, b.digest);
  } finally {
    await admin(`drop database if exists ${name} with (force)`);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a users file that fails half-way through a streamed import stores nothing', async () => {
  const gen = generatePopulation({ users: 300, seed: 3 });
  const name = `rehome_copy_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  try {
    await using postgres = await openStore({ kind: 'postgres', url: ADMIN_URL.replace(/\/postgres$/, `/${name}`) });
    function* failing(): Generator<ProductUser> {
      yield* gen.users.slice(0, 200);
      throw new Error('users.csv:201:1: id: expected a non-empty id');
    }
    await assert.rejects(postgres.saveSnapshotStream({ subscription: gen.subscription, users: failing(), ims: { accounts: gen.imsAccounts }, at: '2026-01-02T03:04:05.000Z', sources: {} }), /users\.csv:201/);
    assert.deepEqual(await postgres.listSnapshots(), []);
    const left = await postgres.kysely.selectFrom('snapshot_users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(left.n), 0);
  } finally {
    await admin(`drop database if exists ${name} with (force)`);
  }
});
