// Migration 0015 on real databases: the state counters stay equal to a count of the rows under inserts, single and
// multi-row updates (the batched engine's `update ... where user_id in (...)`) and deletes; keyset paging visits
// every user exactly once in every sort order, with ties and null addresses; search finds substrings anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { countUsersByState, errorsByCode, getMigrationSummary, insertMigration, migrationDb, patchSubscription, requireMigration, type MigrationDb } from '../../src/engine/migration-repo.ts';
import type { MigrationTables } from '../../src/engine/migration-schema.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { FIRST_PAGE, parseUserTableQuery, queryUserTable, type UserSort, type UserTableQuery } from '../../src/console/user-table.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';
import { example } from '../support/rehome-cli.ts';

const SUB = 'SCALE-1';

function user(i: number, over: Partial<MigrationTables['mig_users']> = {}): MigrationTables['mig_users'] {
  // Few distinct activity times and addresses: many ties for the keyset to break by user id; every 7th has none.
  const email = `person${i % 13}@example.org`;
  return {
    subscription_id: SUB, user_id: `u${String(i).padStart(4, '0')}`, state: ['eligible', 'failed', 'skipped', 'migrated'][i % 4]!, action: 'create', admin: i % 10 === 0 ? 1 : 0,
    email: i === 42 ? 'Zebra.Crossing@Stripes.example' : email, normalized_email: i % 7 === 0 ? null : email, first_name: `First${i}`, last_name: i === 43 ? "O'Hara" : `Last${i}`,
    account_type: 'personal', planned_account_id: null, ims_subject: null, attempt: 0, error_code: i % 4 === 1 ? (i % 8 === 1 ? 'idp_down' : 'plan_drift') : null,
    error_message: i % 4 === 1 ? `failure of ${i}` : null, retryable: 0, skip_reason: null, scheduled_for: null, lease_owner: null, lease_until: null,
    updated_at: `2026-01-0${1 + (i % 3)}T00:00:00.000Z`, ...over,
  };
}

async function truth(db: MigrationDb, subscriptionId: string): Promise<{ byState: Record<string, number>; errors: Record<string, number> }> {
  const rows = await db.selectFrom('mig_users').select(['state', 'error_code']).where('subscription_id', '=', subscriptionId).execute();
  const byState: Record<string, number> = {};
  const errors: Record<string, number> = {};
  for (const r of rows) {
    byState[r.state] = (byState[r.state] ?? 0) + 1;
    if (r.state === 'failed') errors[r.error_code ?? 'unknown'] = (errors[r.error_code ?? 'unknown'] ?? 0) + 1;
  }
  return { byState, errors };
}

async function assertCounters(db: MigrationDb, subscriptionId: string, when: string): Promise<void> {
  const want = await truth(db, subscriptionId);
  assert.deepEqual(await countUsersByState(db, subscriptionId), want.byState, `counts by state ${when}`);
  assert.deepEqual(Object.fromEntries((await errorsByCode(db, subscriptionId)).map((e) => [e.code, e.count])), want.errors, `failures by code ${when}`);
}

async function withStore(kind: 'sqlite' | 'postgres', label: string, fn: (store: StoreAdapter) => Promise<void>): Promise<void> {
  const database: TestDatabase = kind === 'sqlite' ? sqliteTestDatabase(label) : await postgresTestDatabase(label);
  const store = await database.open();
  try {
    await fn(store);
  } finally {
    await store[Symbol.asyncDispose]();
    await database.drop();
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  test(`0015 on ${kind}: the state counters equal a count of the rows after inserts, updates and deletes`, async () => {
    await withStore(kind, 'counters', async (store) => {
      const db = migrationDb(store.kysely);
      await db.insertInto('mig_users').values(Array.from({ length: 200 }, (_, i) => user(i))).execute();
      await db.insertInto('mig_users').values([user(0, { subscription_id: 'OTHER-1' })]).execute();
      await assertCounters(db, SUB, 'after insert');
      // One row, state and code together, as transitionUser writes them.
      await db.updateTable('mig_users').set({ state: 'failed', error_code: 'idp_down' }).where('subscription_id', '=', SUB).where('user_id', '=', 'u0000').execute();
      // Many rows in one statement, from several states into one (the batched engine's claim and record).
      const batch = Array.from({ length: 60 }, (_, i) => user(i + 10).user_id);
      await db.updateTable('mig_users').set({ state: 'migrating', error_code: null }).where('subscription_id', '=', SUB).where('user_id', 'in', batch).execute();
      await db.updateTable('mig_users').set({ state: 'failed', error_code: 'plan_drift' }).where('subscription_id', '=', SUB).where('user_id', 'in', batch.slice(0, 25)).execute();
      // The failure code alone changes (a retry that fails differently), and an update that changes no state (a lease).
      await db.updateTable('mig_users').set({ error_code: 'idp_throttled' }).where('subscription_id', '=', SUB).where('user_id', 'in', batch.slice(0, 5)).execute();
      await db.updateTable('mig_users').set({ lease_owner: 'w1', lease_until: '2026-02-01' }).where('subscription_id', '=', SUB).execute();
      await assertCounters(db, SUB, 'after updates');
      await db.deleteFrom('mig_users').where('subscription_id', '=', SUB).where('user_id', 'in', batch.slice(20, 40)).execute();
      await db.deleteFrom('mig_users').where('subscription_id', '=', SUB).where('user_id', '=', 'u0001').execute();
      await assertCounters(db, SUB, 'after deletes');
      assert.deepEqual(await countUsersByState(db, 'OTHER-1'), { eligible: 1 }, 'another subscription keeps its own counts');
      const drift = (await errorsByCode(db, SUB)).find((e) => e.code === 'plan_drift');
      assert.ok(drift && drift.example.length > 0, 'each code comes with an example message');
      await db.deleteFrom('mig_users').where('subscription_id', '=', SUB).execute();
      assert.deepEqual(await countUsersByState(db, SUB), {}, 'nothing left, nothing counted');
    });
  });

  test(`0015 on ${kind}: keyset paging visits every user exactly once in every order, forward and back, with ties`, async () => {
    await withStore(kind, 'keyset', async (store) => {
      const db = migrationDb(store.kysely);
      const N = 230;
      await db.insertInto('mig_users').values(Array.from({ length: N }, (_, i) => user(i))).execute();
      const all = (await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', SUB).execute()).map((r) => r.user_id).sort();
      for (const sort of ['user', 'email', 'status', 'activity'] as UserSort[]) {
        for (const dir of ['asc', 'desc'] as const) {
          for (const filter of ['', 'state=failed', 'admin=1']) {
            const start = parseUserTableQuery(new URLSearchParams(`sort=${sort}&dir=${dir}&${filter}`), 20);
            const forward: string[] = [];
            let query: UserTableQuery = start;
            let page = await queryUserTable(store.kysely, store.dialect, SUB, query);
            const total = page.total;
            for (;;) {
              forward.push(...page.rows.map((r) => r.user_id));
              if (!page.next) break;
              query = { ...query, ...FIRST_PAGE, after: page.next };
              page = await queryUserTable(store.kysely, store.dialect, SUB, query);
            }
            const label = `${sort} ${dir} ${filter}`;
            assert.equal(new Set(forward).size, forward.length, `no user twice (${label})`);
            assert.equal(forward.length, total, `every user once (${label})`);
            if (!filter) assert.deepEqual([...forward].sort(), all, label);
            const backward: string[] = [];
            query = { ...start, ...FIRST_PAGE, last: true };
            page = await queryUserTable(store.kysely, store.dialect, SUB, query);
            for (;;) {
              backward.unshift(...page.rows.map((r) => r.user_id));
              if (!page.prev) break;
              query = { ...start, ...FIRST_PAGE, before: page.prev };
              page = await queryUserTable(store.kysely, store.dialect, SUB, query);
            }
            assert.deepEqual(backward, forward, `the same order walking back from the last page (${label})`);
          }
        }
      }
    });
  });

  test(`0015 on ${kind}: search finds any substring of id, email or name, without regard to case or accents`, async () => {
    await withStore(kind, 'search', async (store) => {
      const db = migrationDb(store.kysely);
      await db.insertInto('mig_users').values(Array.from({ length: 120 }, (_, i) => user(i))).execute();
      const search = async (q: string, more = '') => (await queryUserTable(store.kysely, store.dialect, SUB, parseUserTableQuery(new URLSearchParams(`q=${encodeURIComponent(q)}${more}`)))).rows.map((r) => r.user_id);
      assert.deepEqual(await search('crossing@stri'), ['u0042'], 'the middle of an address');
      assert.deepEqual(await search('ZEBRA'), ['u0042'], 'another case');
      assert.deepEqual(await search("o'hara"), ['u0043'], 'a quote in a name');
      assert.deepEqual(await search('u0099'), ['u0099'], 'a user id');
      assert.deepEqual(await search('first11'), ['u0011', 'u0110', 'u0111', 'u0112', 'u0113', 'u0114', 'u0115', 'u0116', 'u0117', 'u0118', 'u0119'], 'a name, sorted');
      assert.deepEqual(await search('9'), (await search('9', '&sort=user')).toSorted(), 'a short string scans and still matches');
      assert.deepEqual(await search('first11', '&state=eligible'), ['u0112', 'u0116'], 'with a filter');
      assert.deepEqual(await search('100%'), [], 'LIKE wildcards are literal');
      const wide = await queryUserTable(store.kysely, store.dialect, SUB, parseUserTableQuery(new URLSearchParams('q=example')));
      assert.equal(wide.rows.length, 50);
      assert.deepEqual(wide.search, { more: true }, 'a search says when it shows only the first matches');
      // 0020: without regard to accents, also for letters Unicode does not decompose; kept after a rename.
      await db.updateTable('mig_users').set({ first_name: 'Łukasz', last_name: 'García-Nørgaard' }).where('subscription_id', '=', SUB).where('user_id', '=', 'u0007').execute();
      assert.deepEqual(await search('lukasz'), ['u0007'], 'ł is l');
      assert.deepEqual(await search('GARCIA'), ['u0007'], 'í is i, any case');
      assert.deepEqual(await search('nørgaard'), ['u0007'], 'as written');
      assert.deepEqual(await search('norgaard'), ['u0007'], 'ø is o');
      assert.deepEqual(await search('Łuk'), ['u0007'], 'the query is folded too');
      await db.updateTable('mig_users').set({ email: 'renamed@elsewhere.example' }).where('subscription_id', '=', SUB).where('user_id', '=', 'u0042').execute();
      assert.deepEqual(await search('zebra'), [], 'an old address is forgotten');
      assert.deepEqual(await search('renamed@else'), ['u0042'], 'a new address is found');
      await db.deleteFrom('mig_users').where('subscription_id', '=', SUB).where('user_id', '=', 'u0042').execute();
      assert.deepEqual(await search('renamed'), [], 'a deleted user is not found');
    });
  });

  test(`0015 on ${kind}: a registered plan stores each user's reason codes; the table shows and filters by them`, async () => {
    await withStore(kind, 'reasons', async (store) => {
      const sub = readSubscription(example('subscription.json'));
      const ref = await store.saveSnapshot({
        subscription: sub, users: readProductUsers(example('users.csv')),
        ims: { accounts: readImsDirectory(example('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains }) }, sources: {}, at: '2026-11-01T00:00:00Z',
      });
      const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
      await insertMigration(migrationDb(store.kysely), plan, '2026-11-01T00:00:00Z', 'test');
      const withReasons = plan.users.filter((u) => u.reasons.length > 0);
      assert.ok(withReasons.length > 10, 'the example has users with reasons');
      const code = withReasons[0]!.reasons[0]!;
      const page = await queryUserTable(store.kysely, store.dialect, plan.subscriptionId, parseUserTableQuery(new URLSearchParams(`reason=${code}`), 500));
      assert.deepEqual(page.rows.map((r) => r.user_id).sort(), plan.users.filter((u) => u.reasons.includes(code)).map((u) => u.userId).sort());
      for (const r of page.rows) assert.deepEqual(page.reasons.get(r.user_id), [...new Set(plan.users.find((u) => u.userId === r.user_id)!.reasons)].sort());
      assert.equal(page.total, page.rows.length);
      // 0016: the copy of the migration row without its plan follows every write of the row.
      const db = migrationDb(store.kysely);
      const same = async (when: string) => {
        const { plan: _plan, ...full } = await requireMigration(db, plan.subscriptionId);
        const copy = (await getMigrationSummary(db, plan.subscriptionId))!;
        for (const [k, v] of Object.entries(copy)) assert.equal(String(v), String((full as Record<string, unknown>)[k]), `${k} ${when}`);
      };
      await same('after insert');
      await db.transaction().execute((tx) => patchSubscription(tx, plan.subscriptionId, { migration_date: '2026-12-01', extensions: 2 }, { at: '2026-11-02T00:00:00Z', actor: 'test', action: 'test:patch' }));
      await same('after an update');
      assert.equal((await getMigrationSummary(db, plan.subscriptionId))!.extensions, 2);
      await db.deleteFrom('mig_subscriptions').where('subscription_id', '=', plan.subscriptionId).execute();
      assert.equal(await getMigrationSummary(db, plan.subscriptionId), undefined, 'gone with the row');
    });
  });
}
