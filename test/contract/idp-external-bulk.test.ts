/**
 * The external adapter's bulk forms over SCIM Bulk and `or` look-ups, against the IMS's real SCIM server: each item
 * is answered exactly as the one-item method answers it on an identical directory (per-item errors included, one
 * failing operation never failing the others), with far fewer requests; and when Bulk answers are lost, throttled
 * or fail, nobody gets a second account and every member is granted once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createExternalIdp, type ExternalIdpOptions } from '../../src/adapters/idp/external/external-idp.ts';
import type { IdpBatchResult, IdpUser, NewIdpUser } from '../../src/ports/identity-provider.ts';
import { startFaultProxy, type FaultProxyOptions } from '../support/fault-proxy.ts';
import { IMS_PROFILE_KEY, startImsScimServer, type ImsScimServer } from './idp-scim-server.ts';

const BULK = { maxOperations: 4, maxPayloadSize: 1_048_576 };

async function seed(ims: ImsScimServer): Promise<void> {
  const dir = ims.directory;
  await dir.createAccount({ id: `${ims.orgId}-verified`, email: 'v@home.test', emailVerified: true });
  await dir.createAccount({ id: `${ims.orgId}-pending`, email: 'pend@home.test' });
  await dir.createAccount({ id: `${ims.orgId}-twin-1`, email: 'twin@home.test', emailVerified: true, userName: `${ims.orgId}-twin1` });
  await dir.createAccount({ id: `${ims.orgId}-twin-2`, email: 'twin@home.test', emailVerified: true, type: 'enterprise', orgId: ims.orgId, userName: `${ims.orgId}-twin2` });
  for (const id of ['verified', 'pending', 'twin-1']) await dir.addOrgMember(ims.orgId, `${ims.orgId}-${id}`);
}

function adapter(ims: ImsScimServer, baseOrigin = ims.origin, extra: Partial<ExternalIdpOptions> = {}) {
  return createExternalIdp({
    issuer: `${ims.origin}/ims`, baseUrl: `${baseOrigin}/scim/v2`, profileKeyAttribute: IMS_PROFILE_KEY, batchSize: 2,
    auth: { kind: 'client_credentials', tokenEndpoint: `${ims.origin}${ims.tokenPath}`, clientId: ims.clientId, clientSecret: ims.clientSecret },
    backoff: { baseMs: 5, capMs: 20 },
    ...extra,
  });
}

/** Ids differ between the two directories: seeded ones are compared by their suffix, new ones as "new". */
function summary(orgId: string) {
  return (r: IdpBatchResult<IdpUser | undefined | void>): unknown => {
    if (!r.ok) return r.error.code;
    const u = r.value;
    return u && { id: u.id.startsWith(`${orgId}-`) ? u.id.slice(orgId.length + 1) : 'new', externalId: u.externalId, type: u.type, emailVerified: u.emailVerified, active: u.active };
  };
}

async function settleAll<T>(calls: (() => Promise<T>)[]): Promise<IdpBatchResult<T>[]> {
  const out: IdpBatchResult<T>[] = [];
  for (const call of calls) {
    try {
      out.push({ ok: true, value: await call() });
    } catch (error) {
      out.push({ ok: false, error: error as never });
    }
  }
  return out;
}

test('with Bulk, every bulk form answers item by item exactly as the one-item method, in a fraction of the requests', async (t) => {
  const single = await startImsScimServer('bulkone', { bulk: false });
  const many = await startImsScimServer('bulkmany', { bulk: BULK });
  const proxy = await startFaultProxy({ target: many.origin });
  t.after(async () => {
    await proxy.close();
    await single.close();
    await many.close();
  });
  await seed(single);
  await seed(many);
  const one = adapter(single);
  const bulk = adapter(many, proxy.url);
  const s1 = summary(single.orgId);
  const s2 = summary(many.orgId);
  const domain = (ims: ImsScimServer) => ims.domain;

  const inputs = (ims: ImsScimServer): NewIdpUser[] => [
    { externalId: 'e1', email: 'p1@home.test', firstName: 'P', lastName: 'One' },
    { externalId: 'e2', email: `e1@${domain(ims)}`, firstName: 'E', lastName: 'One' },
    { externalId: 'e3', email: 'V@home.test', firstName: 'V', lastName: 'Erified' },
    { externalId: 'e4', email: 'broken', firstName: 'B', lastName: 'Roken' },
    { externalId: 'e5', email: 'p5@home.test', firstName: 'P', lastName: 'Five' },
    { externalId: 'e1', email: 'p1@home.test', firstName: 'P', lastName: 'One' },
    { externalId: 'e6', email: 'p6@home.test', firstName: 'P', lastName: 'Six' },
  ];
  const created1 = await settleAll(inputs(single).map((input) => () => one.createUser(input)));
  const before = proxy.stats.requests;
  const created2 = await bulk.createUsers(inputs(many));
  assert.deepEqual(created2.map(s2), created1.map(s1));
  assert.equal(created2[3]!.ok, false, 'the malformed address fails alone');
  assert.ok(created2[5]!.ok && created2[0]!.ok && created2[5].value.id === created2[0].value.id, 'a repeated externalId is one account');
  const stored = await many.directory.listOrgAccounts(many.orgId, { filter: { op: 'eq', attr: 'externalId', value: 'e1' } });
  assert.equal(stored.total, 1, 'one account for e1');
  const createRequests = proxy.stats.requests - before;
  // Discovery, a look-up and two Bulk requests of 4 (6 posts), then the round that finds the repeated e1: 6 or 7.
  assert.ok(createRequests <= 7, `${createRequests} requests for 7 creates`);

  const ids = ['e1', 'e2', 'e3', 'nope'];
  const found1 = await settleAll(ids.map((externalId) => () => one.findUser({ externalId })));
  assert.deepEqual((await bulk.findUsersByExternalIds(ids)).map(s2), found1.map(s1));

  const emails = ['v@home.test', 'twin@home.test', 'pend@home.test', 'P5@HOME.test', 'nobody@home.test'];
  const byEmail1 = await settleAll(emails.map((email) => () => one.findUser({ email })));
  const byEmail2 = await bulk.findUsersByEmails(emails);
  assert.deepEqual(byEmail2.map(s2), byEmail1.map(s1));
  assert.equal(byEmail2[1]!.ok ? 'ok' : byEmail2[1]!.error.code, 'ambiguous', 'two verified accounts share the address');
  const personalOnly1 = await settleAll(['twin@home.test'].map((email) => () => one.findUser({ email, types: ['personal'] })));
  assert.deepEqual((await bulk.findUsersByEmails(['twin@home.test'], ['personal'])).map(s2), personalOnly1.map(s1));

  const links = (ims: ImsScimServer) => [
    { userId: `${ims.orgId}-twin-1`, externalId: 'l1' },
    { userId: `${ims.orgId}-verified`, externalId: 'e3' },
    { userId: `${ims.orgId}-verified`, externalId: 'l2' },
    { userId: `${ims.orgId}-pending`, externalId: 'l3' },
    { userId: `${ims.orgId}-missing`, externalId: 'l4' },
  ];
  const linked1 = await settleAll(links(single).map((l) => () => one.linkUser(l.userId, l.externalId)));
  const linked2 = await bulk.linkUsers(links(many));
  assert.deepEqual(linked2.map(s2), linked1.map(s1));
  assert.deepEqual(linked2.map((r) => (r.ok ? 'ok' : r.error.code)), ['ok', 'ok', 'conflict', 'ok', 'not_found']);

  const profile = await bulk.ensureProductProfile({ subscriptionId: 'sub-bulk', name: 'Bulk profile' });
  const created = created2.flatMap((r) => (r.ok ? [r.value.id] : []));
  assert.equal(created.length, 5, 'e4 failed and e1 came twice');
  // Chunks of 2: [1,2] [3,4] [5, no-such-account] [twin-1]: one refused chunk holds a member who is fine.
  const members = [...created, 'no-such-account', `${many.orgId}-twin-1`];
  const beforeGrant = proxy.stats.requests;
  const granted = await bulk.addProfileMembersEach(profile.id, members);
  assert.deepEqual(granted.map((r) => (r.ok ? 'ok' : r.error.code)), members.map((m) => (m === 'no-such-account' ? 'invalid_request' : 'ok')), 'only the unknown member fails');
  const group = await many.directory.listOrgAccounts(many.orgId, { filter: { op: 'eq', attr: 'externalId', value: 'e6' } });
  assert.equal(group.total, 1);
  // 4 chunks in one Bulk request of 4 operations, then the refused chunk member by member: 2 requests.
  assert.equal(proxy.stats.requests - beforeGrant, 2, JSON.stringify(granted));
  assert.equal((await bulk.addProfileMembersEach(profile.id, members.slice(0, 3))).every((r) => r.ok), true, 'adding again is a success');
});

test('Bulk answers that are lost (dropped, held past the timeout) or throttled: one account per product user, every member granted', async (t) => {
  const ims = await startImsScimServer('bulklost', { bulk: BULK });
  const rates: FaultProxyOptions['rates'] = { drop: 0.3, delay: 0.2, throttle: 0.2, unavailable: 0.2 };
  const proxy = await startFaultProxy({
    target: ims.origin, rates, retryAfterSeconds: 1, delayMs: 600,
    faultable: (path, method) => method === 'POST' && path.startsWith('/scim/v2/Bulk'),
  });
  t.after(async () => {
    await proxy.close();
    await ims.close();
  });
  const idp = adapter(ims, proxy.url, { timeoutMs: 200, maxRetries: 12, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))) });
  const inputs: NewIdpUser[] = Array.from({ length: 30 }, (_, i) => ({ externalId: `lost-${i}`, email: `lost${i}@home.test`, firstName: 'L', lastName: `${i}` }));
  const created = await idp.createUsers(inputs);
  assert.deepEqual(created.map((r) => (r.ok ? 'ok' : r.error.message)), inputs.map(() => 'ok'));
  for (const input of inputs) {
    const stored = await ims.directory.listOrgAccounts(ims.orgId, { filter: { op: 'eq', attr: 'externalId', value: input.externalId } });
    assert.equal(stored.total, 1, `one account for ${input.externalId}`);
  }
  const profile = await idp.ensureProductProfile({ subscriptionId: 'sub-lost', name: 'Lost answers' });
  const granted = await idp.addProfileMembersEach(profile.id, created.map((r) => (r.ok ? r.value.id : '')));
  assert.deepEqual(granted.map((r) => (r.ok ? 'ok' : r.error.message)), inputs.map(() => 'ok'));
  const injected = proxy.stats.injected;
  assert.ok(injected.drop + injected.delay + injected.throttle + injected.unavailable > 0, JSON.stringify(injected));
  console.log(`# Bulk faults injected: ${JSON.stringify(injected)}; client retries: ${idp.scim.stats().retries}`);
});

test('idp.bulk off, or a server without Bulk: the bulk forms send one request per item, as before', async (t) => {
  const ims = await startImsScimServer('bulkoff', { bulk: BULK });
  const proxy = await startFaultProxy({ target: ims.origin });
  t.after(async () => {
    await proxy.close();
    await ims.close();
  });
  const idp = adapter(ims, proxy.url, { bulk: 'off' });
  assert.equal((await idp.discover()).limits.bulk, null);
  const inputs: NewIdpUser[] = Array.from({ length: 5 }, (_, i) => ({ externalId: `off-${i}`, email: `off${i}@home.test`, firstName: 'O', lastName: `${i}` }));
  const before = proxy.stats.requests;
  assert.ok((await idp.createUsers(inputs)).every((r) => r.ok));
  assert.equal(proxy.stats.requests - before, 10, 'find, then post, per user; no discovery request when Bulk is off');
  const auto = adapter(ims, proxy.url);
  assert.deepEqual((await auto.discover()).limits.bulk, BULK, 'the server advertises it');
});
