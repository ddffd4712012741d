/**
 * Issue 5 item 9, one process on SQLite: a 20,000-user user phase is SIGKILLed at random points at least 10 times
 * and resumed each time (a new process takes over the dead one's leases at once); at the end every eligible user
 * has exactly one IMS account and one link, and nobody is lost.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../src/app/rehome-store.ts';
import { sqliteTestDatabase } from '../e2e/support/test-databases.ts';
import { assertNoDuplicateNoLoss, count, prepareSubscription, resumedUsers } from './support/crash-setup.ts';
import { killAfter, seeded, startChild } from './support/kill-loop.ts';

const USERS = Number(process.env.REHOME_CRASH_USERS ?? 20_000);
const KILLS = 10;
const SEED = Number(process.env.REHOME_CRASH_SEED ?? 11);

test(`SQLite: ${USERS} users, the user phase SIGKILLed ${KILLS} times at random and resumed: no duplicate, no loss`, { timeout: 240_000 }, async () => {
  const database = sqliteTestDatabase('crash');
  const store = await openStore(database.options);
  try {
    const t0 = Date.now();
    const s = await prepareSubscription(store, USERS);
    console.log(`# prepared ${USERS} users (${s.eligible.length} eligible) in ${Date.now() - t0} ms`);
    const random = seeded(SEED);
    // Batches of 20: most kills then land between a batch's claim and its outcome, in the IdP calls, and the run
    // stays long enough for ten kills on a quiet machine too.
    const args = ['phase', JSON.stringify(database.options), s.plan.subscriptionId, s.orgId, '20'];
    let kills = 0;
    const t1 = Date.now();
    while (kills < KILLS) {
      // Timed from the end of the child's start-up (which a busy machine stretches), so every kill lands in the run:
      // in a claim, the IdP calls or an outcome transaction.
      const child = startChild(args);
      await child.ready;
      const killed = await killAfter(child, 50 + Math.floor(random() * 500));
      assert.ok(killed, `the run finished after only ${kills} kills: lower the delays or raise the user count`);
      kills++;
      const done = await count(store.kysely, 'mig_users', (q) => q.where('subscription_id', '=', s.plan.subscriptionId).where('state', '=', 'migrated'));
      console.log(`# kill ${kills}: ${done} migrated so far`);
    }
    const last = await startChild(args).exited;
    assert.equal(last.code, 0, last.err);
    const runMs = Date.now() - t1;
    const result = await assertNoDuplicateNoLoss(store, s);
    const resumed = await resumedUsers(store.kysely, s.plan.subscriptionId);
    const reaped = await count(store.kysely, 'audit_log', (q) => q.where('action', '=', 'runner:reaped'));
    console.log(`# ${result.migrated} migrated (${result.created} accounts created) in ${runMs} ms with ${kills} kills: ${Math.round(result.migrated / (runMs / 1000))} users/s; ${resumed} users resumed; ${reaped} dead runners reaped`);
    assert.ok(resumed >= 1, 'mig_steps show resumed attempts');
    assert.ok(reaped >= KILLS - 1, 'each killed process was taken over');
    const state = (await store.kysely.selectFrom('mig_subscriptions').select('state').where('subscription_id', '=', s.plan.subscriptionId).executeTakeFirstOrThrow()).state;
    assert.equal(state, 'users_in_progress', 'users still waiting for verification keep the phase open');
  } finally {
    await store[Symbol.asyncDispose]();
    await database.drop();
  }
});
