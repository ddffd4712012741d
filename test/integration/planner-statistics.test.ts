// PostgreSQL, for real: tables a bulk run changed by more than a fifth since their last ANALYZE are re-analysed once;
// untouched tables are left alone (the user phase calls this between batches).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { refreshStaleStatistics } from '../../src/store/postgres/planner-statistics.ts';
import { postgresTestDatabase } from '../e2e/support/test-databases.ts';

test('refreshStaleStatistics analyses the tables a run made stale, once', async () => {
  const database = await postgresTestDatabase('plannerstats');
  const store = await database.open();
  try {
    await refreshStaleStatistics(store.kysely); // whatever opening the store left behind
    await sql`create table bulk_rows (id integer primary key, v text)`.execute(store.kysely);
    await sql`insert into bulk_rows select g, md5(g::text) from generate_series(1, 5000) g`.execute(store.kysely);
    // The statistics collector reports a session's counts when its transaction ends; wait until they show.
    for (let i = 0; i < 50; i++) {
      const seen = await sql<{ n: number }>`select n_mod_since_analyze::int as n from pg_stat_user_tables where relname = 'bulk_rows'`.execute(store.kysely);
      if ((seen.rows[0]?.n ?? 0) >= 5000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(await refreshStaleStatistics(store.kysely), ['bulk_rows']);
    const stats = await sql<{ n: number }>`select reltuples::int as n from pg_class where relname = 'bulk_rows'`.execute(store.kysely);
    assert.equal(stats.rows[0]!.n, 5000, 'the planner now knows the table holds 5,000 rows');
    assert.deepEqual(await refreshStaleStatistics(store.kysely), [], 'nothing is stale any more');
  } finally {
    await store[Symbol.asyncDispose]();
    await database.drop();
  }
});
