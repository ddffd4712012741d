/**
 * Issue 5 item 9, several workers on PostgreSQL: `rehome migrate` enqueues the user phase, two worker processes
 * share it through the job queue (graphile-worker) and per-user row leases, and workers are SIGKILLed at random at
 * least 10 times and replaced. A survivor unlocks the dead one's jobs and leases at once (same host: dead pid).
 * At the end every eligible user has exactly one IMS account and one link, and nobody is lost.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresTestDatabase } from '../e2e/support/test-databases.ts';
import { enqueueUserPhase, openJobQueue } from '../../src/engine/workers/job-queue.ts';
import { assertNoDuplicateNoLoss, count, prepareSubscription, resumedUsers } from './support/crash-setup.ts';
import { killAfter, seeded, startChild, type Child } from './support/kill-loop.ts';

const USERS = Number(process.env.REHOME_CRASH_PG_USERS ?? 8_000);
const KILLS = 10;
const SEED = Number(process.env.REHOME_CRASH_SEED ?? 13);

test(`PostgreSQL: ${USERS} users, two workers, SIGKILLed ${KILLS} times at random and replaced: no duplicate, no loss`, { timeout: 240_000 }, async () => {
  const database = await postgresTestDatabase('crashpg');
  const store = await database.open();
  const url = (database.options as { url: string }).url;
  const workers: Child[] = [];
  try {
    const t0 = Date.now();
    const s = await prepareSubscription(store, USERS);
    console.log(`# prepared ${USERS} users (${s.eligible.length} eligible) in ${Date.now() - t0} ms`);
    const queue = await openJobQueue(url);
    // Batch jobs of 50: about 130 of them, so the kills land in many jobs, mid-batch and between batches.
    await enqueueUserPhase(queue, { subscriptionId: s.plan.subscriptionId, batchSize: 50 });
    await queue.release();

    const args = ['worker', JSON.stringify(database.options), '2', '50'];
    const random = seeded(SEED);
    workers.push(startChild(args), startChild(args));
    const t1 = Date.now();
    let kills = 0;
    while (kills < KILLS) {
      const i = Math.floor(random() * workers.length);
      // Timed from the end of the worker's start-up (which a busy machine stretches), so each kill lands in its work.
      await workers[i]!.ready;
      const killed = await killAfter(workers[i]!, 50 + Math.floor(random() * 700));
      if (!killed) {
        const r = await workers[i]!.exited;
        assert.fail(`worker ended by itself after ${kills} kills (code ${r.code}): ${r.err.slice(0, 500)}`);
      }
      kills++;
      workers[i] = startChild(args);
      const done = await count(store.kysely, 'mig_users', (q) => q.where('subscription_id', '=', s.plan.subscriptionId).where('state', '=', 'migrated'));
      console.log(`# kill ${kills} (worker ${i}): ${done} migrated so far`);
    }
    const ends = await Promise.all(workers.map((w) => w.exited));
    for (const e of ends) assert.equal(e.code, 0, e.err);
    const runMs = Date.now() - t1;
    const result = await assertNoDuplicateNoLoss(store, s);
    const resumed = await resumedUsers(store.kysely, s.plan.subscriptionId);
    const reaped = await count(store.kysely, 'audit_log', (q) => q.where('action', '=', 'runner:reaped'));
    console.log(`# ${result.migrated} migrated by 2 workers in ${runMs} ms with ${kills} kills: ${Math.round(result.migrated / (runMs / 1000))} users/s; ${resumed} users resumed; ${reaped} dead runners reaped`);
    assert.ok(reaped >= 1, 'killed workers were taken over');
    const open = await store.kysely.selectFrom('graphile_worker.jobs').select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number((open as { n: unknown }).n), 0, 'no job left behind (locked or failed)');
  } finally {
    for (const w of workers) w.proc.kill('SIGKILL');
    await store[Symbol.asyncDispose]();
    await database.drop();
  }
});
