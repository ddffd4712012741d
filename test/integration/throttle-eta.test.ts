/**
 * Under provisioning limits like large vendors' (10 members per PATCH, 10 requests a minute per client) a
 * 100,000-user plan reports an honest ETA, with SCIM Bulk where the IdP advertises it and without where it does
 * not. Honest means: counted as the engine really sends requests (measured here against the IMS's SCIM server, with
 * and without Bulk), paced by the adapter's real rate limiter (measured at a faster rate, on an injected clock so
 * that a busy machine cannot change the result), and printed by `rehome plan` after asking the IdP what it supports.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createExternalIdp } from '../../src/adapters/idp/external/external-idp.ts';
import { estimateEta, formatDuration } from '../../src/adapters/idp/external/eta.ts';
import { userPhaseRequests } from '../../src/engine/request-estimate.ts';
import type { MigrationPlan } from '../../src/core/migration/plan.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { generatePopulation } from '../../src/population/generate-population.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { actOnUsers, scheduleMigration } from '../../src/engine/admin-actions.ts';
import { createExternalOrgLinker } from '../../src/adapters/idp/embedded/embedded-org-linker.ts';
import { migrationDb } from '../../src/engine/migration-repo.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { createRehomeOwnedLinks } from '../../src/adapters/links/rehome-owned-links.ts';
import { runUserPhase } from '../../src/engine/user-phase.ts';
import { openStore } from '../../src/app/rehome-store.ts';
import type { StoredSnapshot } from '../../src/store/store.ts';
import { IMS_PROFILE_KEY, startImsScimServer } from '../contract/idp-scim-server.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';

const root = new URL('../../', import.meta.url).pathname;
const execFileAsync = promisify(execFile);
const VENDOR_LIMITS = { kind: 'external', batchSize: 10, requestsPerMinute: 10, concurrency: 4 } as const;

function inMemorySnapshot(pop: ReturnType<typeof generatePopulation>): StoredSnapshot {
  return { id: 'snap-eta', subscriptionId: pop.subscription.id, at: '2026-01-01T00:00:00.000Z', userCount: pop.users.length, imsAccountCount: pop.imsAccounts.length, digest: 'eta', subscription: pop.subscription, users: pop.users, ims: { accounts: pop.imsAccounts }, sources: {} };
}

/** The IMS's SCIM server with Bulk capped at 20 operations (so batches need several Bulk requests), or without. */
const MODES = { bulk: { maxOperations: 20, maxPayloadSize: 1_048_576 }, 'no bulk': false } as const;

for (const [mode, bulk] of Object.entries(MODES)) test(`${mode}: the engine makes the SCIM requests the ETA counts, and the rate limiter paces them as the ETA says`, { timeout: 180_000 }, async (t) => {
  const ims = await startImsScimServer(`eta${mode === 'bulk' ? 'bulk' : 'one'}`, { bulk });
  // No faults: the proxy only counts what goes over the wire.
  const proxy = await startFaultProxy({ target: ims.origin });
  const store = await openStore({ kind: 'sqlite', path: ':memory:' });
  try {
    const pop = generatePopulation({ users: 120, seed: 3, companyDomain: ims.domain });
    await seedDirectoryFromExport(ims.directory, pop.imsAccounts, { id: ims.orgId, name: 'Contract Org', claimedDomains: [ims.domain] });
    const ref = await store.saveSnapshot({ subscription: pop.subscription, users: pop.users, ims: { accounts: pop.imsAccounts }, sources: {}, at: new Date().toISOString() });
    const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
    plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
    const requestsPerMinute = 3000;
    const intervalMs = 60_000 / requestsPerMinute;
    // The client's clock is virtual: it moves only when the rate limiter (or a retry) sleeps, so the pacing measured
    // here is the limiter's own and cannot depend on how busy the machine is. Wall-clock figures are only printed.
    let virtualMs = 0;
    const sleep = async (ms: number) => {
      virtualMs += Math.max(0, ms);
    };
    // Every SCIM request the client sends, with the virtual time it went out (the token request is not SCIM).
    const sent: number[] = [];
    let realLatencyTotal = 0;
    const recordingFetch: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.startsWith(proxy.url)) return fetch(input, init);
      sent.push(virtualMs);
      const started = performance.now();
      try {
        return await fetch(input, init);
      } finally {
        realLatencyTotal += performance.now() - started;
      }
    };
    const idp = createExternalIdp({
      issuer: `${ims.origin}/ims`, baseUrl: `${proxy.url}/scim/v2`, profileKeyAttribute: IMS_PROFILE_KEY,
      // The token request goes around the proxy: the limit and the count are about SCIM calls.
      auth: { kind: 'client_credentials', tokenEndpoint: `${ims.origin}${ims.tokenPath}`, clientId: ims.clientId, clientSecret: ims.clientSecret },
      batchSize: 10, requestsPerMinute, concurrency: 4,
      now: () => virtualMs, sleep, fetch: recordingFetch,
      // A loaded machine must not turn a slow answer into a retry (and so into extra requests).
      timeoutMs: 120_000,
    });
    const ports = { db: store.kysely, idp, orgs: createExternalOrgLinker(), links: createRehomeOwnedLinks(), now: () => new Date(), actor: 'test:eta' };
    await applyProductPhase(plan, ports, { consent: true });
    await scheduleMigration(ports, plan.subscriptionId, addDays(localDate(new Date(), plan.timeZone), 10));
    // Admins first: the admins who cannot move now are skipped (confirmed), so that everyone ready moves in this run.
    const notReady = plan.users.filter((u) => u.admin && !['link', 'create', 'invite'].includes(u.action)).map((u) => u.userId);
    await actOnUsers({ db: store.kysely, now: () => new Date(), actor: 'test:eta' }, plan.subscriptionId, notReady, 'skip', 'not ready in this test', { confirmAdmins: true });

    const before = { proxied: proxy.stats.requests, sent: sent.length, retries: idp.scim.stats().retries };
    const v0 = virtualMs;
    const t0 = performance.now();
    // Batches of 50, two in flight: several batches, each with several look-up and Bulk requests.
    const run = { batchSize: 50 };
    const r = await runUserPhase({ subscriptionId: plan.subscriptionId, concurrency: 2, ...run }, ports);
    const wallMs = performance.now() - t0;
    const elapsedMs = virtualMs - v0;
    const requests = proxy.stats.requests - before.proxied;
    const times = sent.slice(before.sent).map((v) => v - v0).sort((a, b) => a - b);
    assert.equal(r.failed, 0);
    const migrated = await migrationDb(store.kysely).selectFrom('mig_users').select('action').where('subscription_id', '=', plan.subscriptionId).where('state', '=', 'migrated').execute();
    const links = migrated.filter((u) => u.action === 'link').length;
    assert.ok(links > 0 && links < migrated.length, 'both kinds of user were migrated');
    const limits = idp.describe().limits;
    assert.deepEqual(limits.bulk ?? null, bulk === false ? null : bulk, 'the adapter uses Bulk exactly when the server advertises it');
    // Minus the one /ServiceProviderConfig read the adapter makes per run.
    const scimRequests = requests - 1;
    assert.equal(scimRequests, userPhaseRequests(plan.users, limits, run), 'the plan predicted exactly the requests made');
    const admins = plan.users.filter((u) => u.admin && ['link', 'create', 'invite'].includes(u.action)).length;
    if (bulk === false) assert.equal(scimRequests, 4 * migrated.length + Math.ceil(admins / 10) + Math.ceil((migrated.length - admins) / 10), 'four requests per user, a membership PATCH per 10 (admins apart)');
    else assert.ok(scimRequests * 3 < migrated.length, `Bulk: ${scimRequests} requests for ${migrated.length} users (one by one: over 4 each)`);
    assert.equal(times.length, requests, 'the client sent exactly the requests the proxy saw');
    assert.equal(idp.scim.stats().retries - before.retries, 0, 'no retries: every virtual millisecond is the limiter pacing');

    // Paced by the limiter, on its clock: the n-th request goes out no earlier than its slot at the rate (one token of
    // burst allowed), and the whole run waits exactly what the rate-bound ETA says, give or take that one token.
    const predicted = estimateEta({ users: requests, batchSize: 1, requestsPerMinute, concurrency: 4, latencyMs: 0 });
    assert.equal(predicted.boundBy, 'rate');
    assert.equal(predicted.ms, requests * intervalMs);
    times.forEach((at, n) => assert.ok(at >= (n - 1) * intervalMs, `request ${n + 1} went out at ${at} ms, before its slot at ${(n - 1) * intervalMs} ms`));
    assert.ok(elapsedMs >= predicted.ms - intervalMs, `faster than the limit allows: ${elapsedMs} ms < ${predicted.ms - intervalMs} ms`);
    assert.ok(elapsedMs <= predicted.ms, `the limiter waited longer than the ETA: ${elapsedMs} ms > ${predicted.ms} ms`);

    const realLatencyMs = requests > 0 ? realLatencyTotal / requests : 0;
    const atRealLatency = estimateEta({ users: requests, batchSize: 1, requestsPerMinute, concurrency: 4, latencyMs: realLatencyMs });
    t.diagnostic(`${mode}: ${migrated.length} users (${links} links): ${requests} SCIM requests; limiter clock ${elapsedMs} ms, ETA ${predicted.ms} ms (rate)`);
    t.diagnostic(`wall clock (not asserted): ${Math.round(wallMs)} ms with the limiter's sleeps virtual; mean real latency ${realLatencyMs.toFixed(1)} ms -> ETA ${Math.round(atRealLatency.ms)} ms (${atRealLatency.boundBy})`);
  } finally {
    await store[Symbol.asyncDispose]();
    await proxy.close();
    await ims.close();
  }
});

test('a 100,000-user plan at 10 members per PATCH and 10 requests a minute: weeks one request per user, hours with Bulk', () => {
  const pop = generatePopulation({ users: 100_000, seed: 5 });
  const plan: MigrationPlan = planMigration({ snapshot: inMemorySnapshot(pop), passwordStrategy: 'invite', orgExists: true });
  const c = plan.counts;
  const ready = c.link + c.create + c.invite;
  const run = { batchSize: 1000, progressSteps: 50 };
  const admins = plan.users.filter((u) => u.admin && ['link', 'create', 'invite'].includes(u.action)).length;
  const oneByOne = userPhaseRequests(plan.users, { batchSize: 10, bulk: null }, run);
  // Batches of 1000 (multiples of 10): four requests per user and one membership PATCH per 10 users.
  assert.equal(userPhaseRequests(plan.users, { batchSize: 10, bulk: null }, { batchSize: 1000 }), 4 * ready + Math.ceil(admins / 10) + Math.ceil((ready - admins) / 10));
  assert.ok(oneByOne >= 4 * ready + Math.ceil(ready / 10), 'smaller batches (progress steps) only add membership PATCHes');
  // The IMS's own limits: Bulk of 1000 operations in 1 MiB, lists of 200 (so 50 values per look-up).
  const bulk = userPhaseRequests(plan.users, { batchSize: 10, bulk: { maxOperations: 1000, maxPayloadSize: 1_048_576 }, lookupsPerRequest: 50 }, run);
  const at = (requests: number) => estimateEta({ users: requests, batchSize: 1, requestsPerMinute: VENDOR_LIMITS.requestsPerMinute, concurrency: VENDOR_LIMITS.concurrency, latencyMs: 250 });
  assert.equal(at(oneByOne).boundBy, 'rate');
  assert.ok(at(oneByOne).minutes / 60 / 24 > 20, `one by one: ${formatDuration(at(oneByOne).ms)}`);
  assert.ok(at(bulk).minutes / 60 / 24 < 2, `Bulk plans in days, not weeks: ${formatDuration(at(bulk).ms)}`);
  assert.ok(bulk * 30 < oneByOne, `${bulk} requests with Bulk, ${oneByOne} without`);
  console.log(`# 100,000-user plan, ${ready} ready, at 10 requests/min: ${oneByOne} requests one by one -> ${formatDuration(at(oneByOne).ms)}; ${bulk} with Bulk -> ${formatDuration(at(bulk).ms)}`);
});

test('rehome plan asks the IdP what it supports and prints the ETA with Bulk; an IdP it cannot ask gets the estimate without', { timeout: 120_000 }, async (t) => {
  const ims = await startImsScimServer('etacli');
  const dir = mkdtempSync(join(tmpdir(), 'rehome-eta-'));
  t.after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await ims.close();
  });
  const configure = (origin: string) => writeFileSync(join(dir, 'rehome.config.json'), JSON.stringify({
    idp: { kind: 'external', issuer: `${origin}/ims`, scimUrl: `${origin}/scim/v2`, tokenEndpoint: `${origin}${ims.tokenPath}`, clientId: ims.clientId, batchSize: 10, requestsPerMinute: 10, concurrency: 4 },
  }));
  const env = { ...process.env, REHOME_STORE: '', REHOME_DATABASE_URL: '', REHOME_PRODUCT_URL: '', REHOME_IDP_CLIENT_SECRET: ims.clientSecret };
  // Asynchronous: the IdP answering the CLI runs in this process.
  const rh = (...args: string[]) => execFileAsync(process.execPath, [join(root, 'bin/rehome.ts'), ...args], { cwd: dir, encoding: 'utf8', env });
  const ex = (f: string) => join(root, 'examples/acme', f);
  configure(ims.origin);
  await rh('import', '--users', ex('users.csv'), '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json'));
  const planned = await rh('plan', '--subscription', '123-ABC-456', '--out', 'plan.json');
  const m = /ETA at the IdP's limits \(10 requests\/min, 4 at once; SCIM Bulk, up to 1000 operations per request\): ~(.+) for (\d+) users ready now \((\d+) SCIM requests, bound by the rate limit\)/.exec(planned.stdout);
  assert.ok(m, planned.stdout);
  const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as MigrationPlan;
  const expected = userPhaseRequests(plan.users, { batchSize: 10, bulk: { maxOperations: 1000, maxPayloadSize: 1_048_576 }, lookupsPerRequest: 50 }, { batchSize: 1000, progressSteps: 50 });
  assert.equal(Number(m[3]), expected, 'the requests the engine will send with Bulk');
  assert.equal(m[1], formatDuration(expected * 6000), 'one request every 6 s');

  // Nothing listens on port 9 of the loopback: the planner says it could not ask, and estimates one by one.
  configure('http://127.0.0.1:9');
  const blind = await rh('plan', '--subscription', '123-ABC-456');
  const line = blind.stdout.split('\n').find((l) => l.includes('ETA')) ?? '';
  assert.match(line, /without Bulk: the IdP could not be asked \(.+\)\): ~.+ \((\d+) SCIM requests/, blind.stdout);
  assert.equal(Number(/\((\d+) SCIM requests/.exec(line)![1]), userPhaseRequests(plan.users, { batchSize: 10, bulk: null }, { batchSize: 1000, progressSteps: 50 }));
});
