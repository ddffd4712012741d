/**
 * Issue 12 item 3: several subscriptions share the PostgreSQL queue fairly. A big subscription is queued first, then
 * 30 small ones; one worker runs everything. Batch jobs carry their index within their subscription as priority
 * (user-jobs.ts fairPriority), so every small subscription finishes while the big one is still running — without
 * priorities the small ones' batches would wait behind every batch of the big one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatePopulation, type Population } from '../../src/population/generate-population.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { scheduleMigration } from '../../src/engine/admin-actions.ts';
import { skipAdminsWhoCannotMove } from '../support/admins-first.ts';
import { enqueueUserPhase, openJobQueue } from '../../src/engine/workers/job-queue.ts';
import { runWorker } from '../../src/engine/workers/run-worker.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';
import { postgresTestDatabase } from '../e2e/support/test-databases.ts';
import { ISSUER } from './support/crash-setup.ts';

const BIG = Number(process.env.REHOME_FAIRNESS_BIG ?? 3_000);
const SMALL = 30;
const BATCH = 100;

/**
 * Generated subscriptions reuse user ids (the accounts' externalIds) and addresses: give each its own organization
 * and addresses, so all live in one IMS side by side, as different customers do.
 */
function distinct(pop: Population, tag: string): Population {
  const mail = (e: string) => (e.includes('@') ? `${tag}-${e}` : e);
  return {
    ...pop,
    subscription: { ...pop.subscription, imsOrg: { ...pop.subscription.imsOrg, id: `ORG-${tag}@AdobeOrg`, name: `Customer ${tag}` } },
    users: pop.users.map((u) => ({ ...u, email: mail(u.email) })),
    imsAccounts: pop.imsAccounts.map((a) => ({ ...a, id: `${a.id}-${tag}`, email: mail(a.email), username: mail(a.username) })),
  };
}

async function prepare(store: StoreAdapter, n: number, tag: string): Promise<{ subscriptionId: string; eligible: number }> {
  const pop = distinct(generatePopulation({ users: n, seed: tag.length + n, subscriptionId: `FAIR-${tag}`, companyDomain: `${tag}.example` }), tag);
  const ref = await store.saveSnapshot({ subscription: pop.subscription, users: pop.users, ims: { accounts: pop.imsAccounts }, sources: {}, at: new Date().toISOString() });
  await seedDirectoryFromExport(createStoreImsDirectory(store), pop.imsAccounts, pop.subscription.imsOrg);
  const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
  plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
  const ports = embeddedEnginePorts({ store, orgId: pop.subscription.imsOrg.id, issuer: ISSUER, actor: 'test:setup' });
  await applyProductPhase(plan, ports, { consent: true });
  await scheduleMigration(ports, plan.subscriptionId, addDays(localDate(new Date(), plan.timeZone), 10));
  await skipAdminsWhoCannotMove(store.kysely, plan.subscriptionId);
  return { subscriptionId: plan.subscriptionId, eligible: plan.users.filter((u) => u.initialState === 'eligible').length };
}

test(`PostgreSQL queue: ${SMALL} small subscriptions queued behind a ${BIG}-user one finish while it still runs`, { timeout: 240_000 }, async () => {
  const database = await postgresTestDatabase('fairness');
  const store = await database.open();
  const url = (database.options as { url: string }).url;
  try {
    const big = await prepare(store, BIG, 'big');
    const small = [];
    for (let i = 0; i < SMALL; i++) small.push(await prepare(store, 20, `s${i}`));
    const queue = await openJobQueue(url);
    try {
      for (const s of [big, ...small]) await enqueueUserPhase(queue, { subscriptionId: s.subscriptionId, batchSize: BATCH });
    } finally {
      await queue.release();
    }

    // The order users were migrated in, across every subscription.
    const order: string[] = [];
    const r = await runWorker({
      store, connectionString: url, concurrency: 1, batchSize: BATCH, untilIdle: true, pollMs: 200,
      portsFor: (m, actor) => embeddedEnginePorts({
        store, orgId: m.org_id ?? '', issuer: ISSUER, actor,
        onEvent: (e) => { if (e.type === 'user:migrated') order.push(e.subscriptionId); },
      }),
    });
    const expected = big.eligible + small.reduce((n, s) => n + s.eligible, 0);
    const failures = await store.kysely.selectFrom('mig_users').select(['error_code', 'error_message']).where('state', '=', 'failed').limit(3).execute();
    assert.equal(r.failed, 0, JSON.stringify(failures));
    assert.equal(r.migrated, expected, 'everyone migrated');

    const lastSmall = Math.max(...small.map((s) => order.lastIndexOf(s.subscriptionId)));
    const bigBefore = order.slice(0, lastSmall + 1).filter((id) => id === big.subscriptionId).length;
    console.log(`# the ${SMALL} small subscriptions were done after ${bigBefore} of ${big.eligible} big-subscription users`);
    for (const s of small) assert.equal(order.filter((id) => id === s.subscriptionId).length, s.eligible);
    assert.ok(bigBefore < big.eligible / 2, `the small subscriptions waited for ${bigBefore} of ${big.eligible} users of the big one`);
  } finally {
    await store[Symbol.asyncDispose]();
    await database.drop();
  }
});
