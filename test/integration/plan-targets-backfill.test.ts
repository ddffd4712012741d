// Migration 0013 on a store that already holds migrations registered before it: each user's planned account comes
// from the plan stored with the subscription, so apply enforces older plans too (a link is to its named account,
// not to whatever verified account the IMS shows). SQLite and PostgreSQL, for real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { insertMigration, migrationDb } from '../../src/engine/migration-repo.ts';
import { planTargetsMigration } from '../../src/engine/migration-schema.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';
import { example } from '../support/rehome-cli.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  test(`0013 on ${kind}: users of a plan registered before it get the plan's named accounts`, async () => {
    const database: TestDatabase = kind === 'sqlite' ? sqliteTestDatabase('backfill') : await postgresTestDatabase('backfill');
    const store = await database.open();
    try {
      const sub = readSubscription(example('subscription.json'));
      const ref = await store.saveSnapshot({
        subscription: sub, users: readProductUsers(example('users.csv')),
        ims: { accounts: readImsDirectory(example('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains }) }, sources: {}, at: '2026-11-01T00:00:00Z',
      });
      const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
      await insertMigration(migrationDb(store.kysely), plan, '2026-11-01T00:00:00Z', 'test');
      // As a store upgraded from before 0013 holds them: the column there, empty, and the plan in the migration row
      // (0017 later moves it to mig_plans).
      await sql`update mig_users set planned_account_id = null`.execute(store.kysely);
      await sql`update mig_subscriptions set plan = (select p.plan from mig_plans p where p.subscription_id = mig_subscriptions.subscription_id)`.execute(store.kysely);
      const backfill = (kind === 'sqlite' ? planTargetsMigration.sqlite : planTargetsMigration.postgres).split(';\n').slice(1);
      // One connection for the scratch table's lifetime (SQLite's temp tables are per connection).
      await store.kysely.connection().execute(async (db) => { for (const statement of backfill) await sql.raw(statement).execute(db); });
      const rows = await store.kysely.selectFrom('mig_users').select(['user_id', 'planned_account_id']).execute() as { user_id: string; planned_account_id: string | null }[];
      const want = new Map(plan.users.map((u) => [u.userId, u.imsAccountId]));
      assert.ok([...want.values()].filter(Boolean).length > 10, 'the example plan names accounts');
      for (const r of rows) assert.equal(r.planned_account_id, want.get(r.user_id) ?? null, r.user_id);
    } finally {
      await store[Symbol.asyncDispose]();
      await database.drop();
    }
  });
}
