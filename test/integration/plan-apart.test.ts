// Migration 0017 on a store whose plans are still in the migration rows: each plan moves to mig_plans with its facts
// (what requests read instead of the plan), the row keeps an empty column, and the plan reads back whole. A state change then no longer rewrites the plan (on SQLite an
// UPDATE rewrites the whole row). SQLite and PostgreSQL, for real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { getMigration, insertMigration, migrationDb, planFactsOf, readPlan, readPlanFacts } from '../../src/engine/migration-repo.ts';
import { planApartMigration } from '../../src/engine/migration-schema.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';
import { example } from '../support/rehome-cli.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  test(`0017 on ${kind}: plans move out of the migration rows and read back whole`, async () => {
    const database: TestDatabase = kind === 'sqlite' ? sqliteTestDatabase('planapart') : await postgresTestDatabase('planapart');
    const store = await database.open();
    try {
      const sub = readSubscription(example('subscription.json'));
      const ref = await store.saveSnapshot({
        subscription: sub, users: readProductUsers(example('users.csv')),
        ims: { accounts: readImsDirectory(example('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains }) }, sources: {}, at: '2026-11-01T00:00:00Z',
      });
      const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
      const db = migrationDb(store.kysely);
      await insertMigration(db, plan, '2026-11-01T00:00:00Z', 'test');
      const stored = await store.kysely.selectFrom('mig_subscriptions').select('plan').where('subscription_id', '=', plan.subscriptionId).executeTakeFirstOrThrow();
      assert.equal(stored.plan, '', 'a new migration row holds no plan');
      assert.deepEqual(readPlan((await getMigration(db, plan.subscriptionId))!), JSON.parse(JSON.stringify(plan)));

      // As a store from before 0017 holds it: the plan in the row, no mig_plans row. Then the migration's data step.
      await sql`update mig_subscriptions set plan = (select p.plan from mig_plans p where p.subscription_id = mig_subscriptions.subscription_id)`.execute(store.kysely);
      await sql`delete from mig_plans`.execute(store.kysely);
      const steps = (kind === 'sqlite' ? planApartMigration.sqlite : planApartMigration.postgres).split(';\n').slice(1);
      for (const statement of steps) await sql.raw(statement).execute(store.kysely);
      const after = await store.kysely.selectFrom('mig_subscriptions').select('plan').where('subscription_id', '=', plan.subscriptionId).executeTakeFirstOrThrow();
      assert.equal(after.plan, '');
      assert.deepEqual(readPlan((await getMigration(db, plan.subscriptionId))!), JSON.parse(JSON.stringify(plan)));
      // The facts requests read instead of the plan, derived by the database as the code derives them.
      assert.deepEqual(await readPlanFacts(db, plan.subscriptionId), JSON.parse(JSON.stringify(planFactsOf(plan))));
    } finally {
      await store[Symbol.asyncDispose]();
      await database.drop();
    }
  });
}
