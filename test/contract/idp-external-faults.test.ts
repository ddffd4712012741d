/**
 * The IdP contract again, through a proxy that throttles (429 + Retry-After), fails (503), holds answers past the
 * client's timeout and cuts connections mid-answer. The contract must still hold, in particular: no product user
 * gets a second account when the answer to its create was lost.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createExternalIdp } from '../../src/adapters/idp/external/external-idp.ts';
import { seededRandom, startFaultProxy, type FaultStats } from '../support/fault-proxy.ts';
import { runIdpContract } from './idp.contract.ts';
import { IMS_PROFILE_KEY, startImsScimServer } from './idp-scim-server.ts';

const CONCURRENCY = 3;
const TIMEOUT_MS = 250;
const SEED = Number(process.env.REHOME_FAULT_SEED ?? 7);
let finalStats: FaultStats | undefined;
const waits: number[] = [];
let retries = 0;

runIdpContract(`external through the fault proxy (seed ${SEED})`, async () => {
  const ims = await startImsScimServer('idpfault');
  const proxy = await startFaultProxy({
    target: ims.origin,
    rates: { throttle: 0.08, unavailable: 0.08, delay: 0.04, drop: 0.06 },
    retryAfterSeconds: 1,
    delayMs: TIMEOUT_MS * 3,
    faultable: (path) => path.startsWith('/scim/'),
    random: seededRandom(SEED),
  });
  const idp = createExternalIdp({
    issuer: `${ims.origin}/ims`,
    baseUrl: `${proxy.url}/scim/v2`,
    auth: { kind: 'client_credentials', tokenEndpoint: `${proxy.url}${ims.tokenPath}`, clientId: ims.clientId, clientSecret: ims.clientSecret },
    concurrency: CONCURRENCY,
    batchSize: 10,
    timeoutMs: TIMEOUT_MS,
    maxRetries: 10,
    backoff: { baseMs: 20, capMs: 200 },
    random: seededRandom(SEED + 1),
    // Record every wait the client asks for (Retry-After included) but keep the suite fast.
    sleep: (ms) => {
      waits.push(ms);
      return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
    },
    onRetry: () => {
      retries++;
    },
    profileKeyAttribute: IMS_PROFILE_KEY,
  });
  return {
    idp,
    directory: ims.directory,
    orgId: ims.orgId,
    domain: ims.domain,
    wire: { reset: () => proxy.resetPeak(), maxInFlight: () => proxy.stats.maxInFlight, concurrency: CONCURRENCY },
    async close() {
      finalStats = proxy.stats;
      await proxy.close();
      await ims.close();
    },
  };
});

test('the proxy really injected every kind of fault, and the client waited out Retry-After', () => {
  assert.ok(finalStats, 'the contract ran');
  const { injected } = finalStats;
  console.log(`# faults injected: ${JSON.stringify(injected)}; client retries: ${retries}`);
  for (const kind of ['throttle', 'unavailable', 'delay', 'drop'] as const) {
    assert.ok(injected[kind] > 0, `no ${kind} fault was injected`);
  }
  assert.ok(waits.some((ms) => ms >= 900 && ms <= 1000), `no Retry-After of ~1 s was honoured: ${waits.join(',')}`);
  assert.ok(retries > 0);
});

for (const fault of ['drop', 'delay'] as const) {
  test(`createUser whose every POST answer is lost (${fault}) finds the first account by externalId instead of making another`, async () => {
    const ims = await startImsScimServer(`idplost${fault}`);
    const proxy = await startFaultProxy({
      target: ims.origin,
      rates: { [fault]: 1 },
      delayMs: TIMEOUT_MS * 3,
      faultable: (path, method) => method === 'POST' && path.startsWith('/scim/'),
    });
    try {
      const idp = createExternalIdp({
        issuer: `${ims.origin}/ims`,
        baseUrl: `${proxy.url}/scim/v2`,
        auth: { kind: 'client_credentials', tokenEndpoint: `${proxy.url}${ims.tokenPath}`, clientId: ims.clientId, clientSecret: ims.clientSecret },
        timeoutMs: TIMEOUT_MS,
        backoff: { baseMs: 5, capMs: 20 },
      });
      const user = await idp.createUser({ externalId: 'pu-lost-1', email: `lost@${ims.domain}`, firstName: 'Lost', lastName: 'Answer' });
      assert.equal(user.externalId, 'pu-lost-1');
      assert.equal(proxy.stats.injected[fault], 1, 'exactly one POST went out: the retry looked up first and found it');
      const stored = await ims.directory.listOrgAccounts(ims.orgId, { filter: { op: 'eq', attr: 'externalId', value: 'pu-lost-1' } });
      assert.equal(stored.total, 1);
      assert.equal(stored.items[0]!.id, user.id);
    } finally {
      await proxy.close();
      await ims.close();
    }
  });
}
