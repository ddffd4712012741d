/**
 * Issue 5 item 7: under provisioning limits like large vendors' (10 users per request, 10 requests a minute per
 * client) a 100,000-user plan reports an honest ETA. Honest means: counted from the requests the engine really
 * makes per user (measured here against a SCIM server), paced by the adapter's real rate limiter (measured here at
 * a faster rate, on an injected clock so that a busy machine cannot change the result), and printed by `rehome plan`
 * for an external IdP.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createExternalIdp } from '../../src/adapters/idp/external/external-idp.ts';
import { estimateEta, formatDuration } from '../../src/adapters/idp/external/eta.ts';
import { describePlan, estimateIdpEta, membershipRequests, SCIM_REQUESTS_PER_USER } from '../../src/cli/commands/plan.ts';
import type { MigrationPlan } from '../../src/core/migration/plan.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import type { RehomeConfig } from '../../src/config/config.ts';
import { generatePopulation } from '../../src/population/generate-population.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { scheduleMigration } from '../../src/engine/admin-actions.ts';
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
const VENDOR_LIMITS = { kind: 'external', batchSize: 10, requestsPerMinute: 10, concurrency: 4 } as const;

function inMemorySnapshot(pop: ReturnType<typeof generatePopulation>): StoredSnapshot {
  return { id: 'snap-eta', subscriptionId: pop.subscription.id, at: '2026-01-01T00:00:00.000Z', userCount: pop.users.length, imsAccountCount: pop.imsAccounts.length, digest: 'eta', subscription: pop.subscription, users: pop.users, ims: { accounts: pop.imsAccounts }, sources: {} };
}

test('the engine makes the SCIM requests per user the ETA counts, and the rate limiter paces them as the ETA says', { timeout: 180_000 }, async (t) => {
  const ims = await startImsScimServer('eta');
  // No faults: the proxy only counts what goes over the wire.
  const proxy = await startFaultProxy({ target: ims.origin });
  const store = await openStore({ kind: 'sqlite', path: ':memory:' });
  try {
    const pop = generatePopulation({ users: 40, seed: 3, companyDomain: ims.domain });
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

    const before = { proxied: proxy.stats.requests, sent: sent.length, retries: idp.scim.stats().retries };
    const v0 = virtualMs;
    const t0 = performance.now();
    const r = await runUserPhase({ subscriptionId: plan.subscriptionId, concurrency: 8 }, ports);
    const wallMs = performance.now() - t0;
    const elapsedMs = virtualMs - v0;
    const requests = proxy.stats.requests - before.proxied;
    const times = sent.slice(before.sent).map((v) => v - v0).sort((a, b) => a - b);
    assert.equal(r.failed, 0);
    const migrated = await migrationDb(store.kysely).selectFrom('mig_users').select('action').where('subscription_id', '=', plan.subscriptionId).where('state', '=', 'migrated').execute();
    const links = migrated.filter((u) => u.action === 'link').length;
    assert.ok(links > 0 && links < migrated.length, 'both kinds of user were migrated');
    assert.equal(requests, links * SCIM_REQUESTS_PER_USER.link + (migrated.length - links) * SCIM_REQUESTS_PER_USER.create + membershipRequests(plan, 10), 'requests per user as the ETA counts them');
    assert.equal(estimateIdpEta(plan, { requestsPerMinute, concurrency: 4, batchSize: 10 }).requests, requests, 'the plan predicted exactly the requests made');
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
    t.diagnostic(`${migrated.length} users (${links} links): ${requests} SCIM requests; limiter clock ${elapsedMs} ms, ETA ${predicted.ms} ms (rate)`);
    t.diagnostic(`wall clock (not asserted): ${Math.round(wallMs)} ms with the limiter's sleeps virtual; mean real latency ${realLatencyMs.toFixed(1)} ms -> ETA ${Math.round(atRealLatency.ms)} ms (${atRealLatency.boundBy})`);
  } finally {
    await store[Symbol.asyncDispose]();
    await proxy.close();
    await ims.close();
  }
});

test('a 100,000-user plan at 10 users per request and 10 requests a minute: the ETA counts every request, not batches that never happen', () => {
  const pop = generatePopulation({ users: 100_000, seed: 5 });
  const plan: MigrationPlan = planMigration({ snapshot: inMemorySnapshot(pop), passwordStrategy: 'invite', orgExists: true });
  const c = plan.counts;
  const ready = c.link + c.create + c.invite;
  const eta = estimateIdpEta(plan, VENDOR_LIMITS);
  assert.equal(eta.users, ready);
  assert.equal(eta.requests, c.link * 4 + (c.create + c.invite) * 4 + membershipRequests(plan, 10));
  assert.ok(membershipRequests(plan, 10) >= Math.ceil(ready / 10), 'one membership PATCH per 10 users');
  assert.equal(eta.boundBy, 'rate');
  assert.equal(eta.minutes, eta.requests / 10);
  // A batch-per-10-users estimate would promise ~13 h; look-ups and creates go one user per request (~4.1 each): weeks.
  const naive = estimateEta({ users: ready, batchSize: 10, requestsPerMinute: 10, concurrency: 4, latencyMs: 250 });
  assert.ok(eta.ms > naive.ms * 30, 'the honest figure is not the batch arithmetic');
  assert.ok(eta.minutes / 60 / 24 > 20, `${formatDuration(eta.ms)}`);
  const text = describePlan(plan, { ...VENDOR_LIMITS } as unknown as RehomeConfig['idp']);
  const line = text.split('\n').find((l) => l.includes('ETA'));
  assert.equal(line, `  ETA at the IdP's limits (10 requests/min, 4 at once): ~${formatDuration(eta.ms)} for ${ready} users ready now (${eta.requests} SCIM requests, bound by the rate limit)`);
  console.log(`# 100,000-user plan, ${ready} ready: ${eta.requests} requests -> ${formatDuration(eta.ms)} (naive batches of 10: ${formatDuration(naive.ms)})`);
  assert.doesNotMatch(describePlan(plan, { ...VENDOR_LIMITS, kind: 'embedded' } as unknown as RehomeConfig['idp']), /ETA/, 'the embedded IMS has no such limit');
});

test('rehome plan prints the ETA for an external IdP from the configured limits', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-eta-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'rehome.config.json'), JSON.stringify({
    idp: { kind: 'external', issuer: 'https://idp.example/ims', scimUrl: 'https://idp.example/scim/v2', tokenEndpoint: 'https://idp.example/oauth/token', clientId: 'rehome', batchSize: 10, requestsPerMinute: 10, concurrency: 4 },
  }));
  const env = { ...process.env, REHOME_STORE: '', REHOME_DATABASE_URL: '', REHOME_PRODUCT_URL: '', REHOME_IDP_CLIENT_SECRET: 'not-used-by-plan' };
  const rh = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/rehome.ts'), ...args], { cwd: dir, encoding: 'utf8', env });
  const ex = (f: string) => join(root, 'examples/acme', f);
  const imported = rh('import', '--users', ex('users.csv'), '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json'));
  assert.equal(imported.status, 0, imported.stderr);
  const planned = rh('plan', '--subscription', '123-ABC-456', '--out', 'plan.json');
  assert.equal(planned.status, 0, planned.stderr);
  const m = /ETA at the IdP's limits \(10 requests\/min, 4 at once\): ~(.+) for (\d+) users ready now \((\d+) SCIM requests, bound by the rate limit\)/.exec(planned.stdout);
  assert.ok(m, planned.stdout);
  const requests = Number(m[3]);
  assert.equal(m[1], formatDuration(requests * 6000), 'one request every 6 s');
  assert.ok(requests >= Number(m[2]) * 4 && requests <= Number(m[2]) * 5);
});
