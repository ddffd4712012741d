/**
 * Bulk (RFC 7644 §3.7) on the SCIM server the composed server mounts: operations run as the single requests they
 * stand for, each on its own; bulkId references resolved in the order they need (§3.7.2) or refused with 409
 * (§3.7.1); failOnErrors; per-operation results (§3.7.3); the limits (§3.7.4) advertised and enforced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startImsScimServer, type ImsScimServer } from '../../contract/idp-scim-server.ts';
import { acmeScimServer, groupBody, PATCH_OP, SCIM_ERROR, userBody, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

let server: ScimTestServer;
let org: TestOrg;

acmeScimServer((s, o) => { server = s; org = o; });

const bulk = (operations: unknown[], extra: Record<string, unknown> = {}, token = org.token) =>
  server.scim(token, 'POST', '/Bulk', { schemas: [BULK_REQUEST], Operations: operations, ...extra });
const replace = (path: string, value: unknown) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path, value }] });
const statuses = (body: { Operations: { status: string }[] }) => body.Operations.map((o) => o.status);
const find = async (filter: string) => (await server.scim(org.token, 'GET', `/Users?filter=${encodeURIComponent(filter)}`)).body.totalResults as number;

test('RFC 7644 §3.7.2: a group before the users it names by bulkId waits for them and gets their ids', async () => {
  const response = await bulk([
    { method: 'POST', path: '/Groups', bulkId: 'team', data: { schemas: [GROUP], displayName: 'Bulk team', members: [{ value: 'bulkId:ann' }, { value: 'bulkId:bob' }] } },
    { method: 'POST', path: '/Users', bulkId: 'ann', data: userBody('bulk-ann@example.com') },
    { method: 'POST', path: '/Users', bulkId: 'bob', data: userBody('bulk-bob@example.com') },
  ]);
  assert.equal(response.status, 200, response.text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/scim\+json/);
  assert.deepEqual(response.body.schemas, [BULK_RESPONSE]);
  const [team, ann, bob] = response.body.Operations;
  assert.deepEqual([team.bulkId, ann.bulkId, bob.bulkId], ['team', 'ann', 'bob'], 'listed in request order');
  for (const [op, type] of [[team, 'Groups'], [ann, 'Users'], [bob, 'Users']] as const) {
    assert.deepEqual([op.method, op.status], ['POST', '201']);
    assert.equal(op.location, `${server.url}/scim/v2/${type}/${op.response.id}`);
    assert.equal(op.version, op.response.meta.version);
  }
  assert.equal(team.response.members, undefined, 'a Group answers without its members in Bulk (they may be 100,000)');
  const group = await server.scim(org.token, 'GET', `/Groups/${team.response.id}`);
  assert.deepEqual(group.body.members.map((m: { value: string }) => m.value).sort(), [ann.response.id, bob.response.id].sort());
});

test('RFC 7644 §3.7: POST, PATCH, PUT and DELETE operations answer as the single requests do; bulkId works in path', async () => {
  const response = await bulk([
    { method: 'POST', path: '/Users', bulkId: 'cy', data: userBody('bulk-cy@example.com', { name: { givenName: 'Cy' } }) },
    { method: 'PATCH', path: '/Users/bulkId:cy', data: replace('name.familyName', 'Ng') },
    { method: 'POST', path: '/Users', bulkId: 'dee', data: userBody('bulk-dee@example.com') },
    { method: 'PUT', path: '/Users/bulkId:dee', data: userBody('bulk-dee@example.com', { name: { givenName: 'Dee' } }) },
    { method: 'DELETE', path: '/Users/bulkId:dee' },
  ]);
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(statuses(response.body), ['201', '200', '201', '200', '204']);
  const [created, patched, , replaced, deleted] = response.body.Operations;
  const cyId = created.response.id as string;
  assert.equal(patched.location, `${server.url}/scim/v2/Users/${cyId}`);
  assert.deepEqual(patched.response.name, { givenName: 'Cy', familyName: 'Ng', formatted: 'Cy Ng' });
  assert.equal(patched.version, patched.response.meta.version);
  assert.equal(replaced.response.name.givenName, 'Dee');
  assert.deepEqual(deleted, { method: 'DELETE', location: `${server.url}/scim/v2/Users/${replaced.response.id}`, status: '204' });
  const single = await server.scim(org.token, 'GET', `/Users/${cyId}`);
  assert.deepEqual(patched.response, single.body, 'the resource as the single request returns it');
  assert.equal(patched.version, single.headers.get('etag'));
  assert.equal((await server.scim(org.token, 'GET', `/Users/${replaced.response.id}`)).status, 404);
});

test('RFC 7644 §3.7: version holds one operation to that ETag: a stale one is 412 and the others are applied', async () => {
  const user = await server.scim(org.token, 'POST', '/Users', userBody('bulk-eve@example.com'));
  const etag = user.headers.get('etag') as string;
  const path = `/Users/${user.body.id}`;
  const response = await bulk([
    { method: 'PATCH', path, version: 'W/"0"', data: replace('name.givenName', 'Stale') },
    { method: 'PATCH', path, version: etag, data: replace('name.givenName', 'Fresh') },
    { method: 'PATCH', path, version: etag, data: replace('name.givenName', 'Late') },
  ]);
  assert.deepEqual(statuses(response.body), ['412', '200', '412']);
  const [stale] = response.body.Operations;
  assert.equal(stale.location, `${server.url}/scim/v2${path}`);
  assert.equal(stale.version, undefined);
  assert.deepEqual([stale.response.schemas, stale.response.status], [[SCIM_ERROR], '412']);
  assert.match(stale.response.detail, /preconditionFailed/);
  assert.equal((await server.scim(org.token, 'GET', path)).body.name.givenName, 'Fresh');
});

test('RFC 7644 §3.7.3: failOnErrors 1 stops after the first error; the rest is neither performed nor listed', async () => {
  const response = await bulk([
    { method: 'POST', path: '/Users', bulkId: 'fay', data: userBody('bulk-fay@example.com') },
    { method: 'PATCH', path: '/Users/2819c223-7f76-453a-919d-413861904646', data: replace('active', false) },
    { method: 'POST', path: '/Users', bulkId: 'gus', data: userBody('bulk-gus@example.com') },
  ], { failOnErrors: 1 });
  assert.equal(response.status, 200);
  assert.deepEqual(statuses(response.body), ['201', '404']);
  assert.equal(response.body.Operations[1].response.status, '404');
  assert.equal(await find('userName eq "bulk-gus@example.com"'), 0);
  assert.equal(await find('userName eq "bulk-fay@example.com"'), 1, 'what ran before stays: no all-or-nothing');
});

test('RFC 7644 §3.7.1-§3.7.2: circular, unknown and failed bulkIds fail those operations with 409 invalidValue; the rest runs', async () => {
  const response = await bulk([
    { method: 'POST', path: '/Groups', bulkId: 'ga', data: { schemas: [GROUP], displayName: 'Circle A', members: [{ value: 'bulkId:gb' }] } },
    { method: 'POST', path: '/Groups', bulkId: 'gb', data: { schemas: [GROUP], displayName: 'Circle B', members: [{ value: 'bulkId:ga' }] } },
    { method: 'PATCH', path: '/Groups/bulkId:nope', data: replace('displayName', 'x') },
    { method: 'POST', path: '/Users', bulkId: 'dup', data: userBody('bulk-eve@example.com') },
    { method: 'PATCH', path: '/Users/bulkId:dup', data: replace('active', false) },
    { method: 'POST', path: '/Users', bulkId: 'hal', data: userBody('bulk-hal@example.com') },
  ]);
  assert.equal(response.status, 200);
  assert.deepEqual(statuses(response.body), ['409', '409', '409', '409', '409', '201']);
  const [a, b, nope, dup, afterDup] = response.body.Operations;
  for (const op of [a, b, nope, afterDup]) {
    assert.deepEqual([op.response.schemas, op.response.status, op.response.scimType], [[SCIM_ERROR], '409', 'invalidValue']);
    assert.equal(op.location, undefined, 'no resource to name');
  }
  assert.match(a.response.detail, /^bulkId:gb cannot be resolved: .*circle/);
  assert.match(b.response.detail, /^bulkId:ga cannot be resolved: .*circle/);
  assert.match(nope.response.detail, /^bulkId:nope cannot be resolved: no POST operation/);
  assert.equal(dup.response.scimType, 'uniqueness', 'the POST failed as the single request does (userName taken)');
  assert.match(afterDup.response.detail, /^bulkId:dup cannot be resolved: the operation that was to create it failed/);
  const groups = await server.scim(org.token, 'GET', `/Groups?filter=${encodeURIComponent('displayName sw "Circle"')}`);
  assert.equal(groups.body.totalResults, 0);
});

test('RFC 7644 §3.7: a malformed operation fails alone (no bulkId on POST, another method, a path outside /Users and /Groups)', async () => {
  const response = await bulk([
    { method: 'POST', path: '/Users', data: userBody('bulk-ivy@example.com') },
    { method: 'GET', path: '/Users' },
    { method: 'POST', path: '/Bulk', bulkId: 'nested', data: { schemas: [BULK_REQUEST], Operations: [] } },
    { method: 'DELETE', path: '/Users' },
    { method: 'PATCH', path: '/Users/x', data: 'not an object' },
    { method: 'POST', path: '/Users', bulkId: 'jo', data: userBody('bulk-jo@example.com') },
  ]);
  assert.deepEqual(statuses(response.body), ['400', '400', '404', '400', '400', '201']);
  assert.deepEqual(response.body.Operations.map((o: { response: { scimType?: string } }) => o.response.scimType), ['invalidValue', 'invalidValue', undefined, 'invalidValue', 'invalidSyntax', undefined]);
  assert.match(response.body.Operations[0].response.detail, /bulkId is required with POST/);
  assert.equal(await find('userName eq "bulk-ivy@example.com"'), 0);
});

test('RFC 7644 §3.7: each operation acts for the token\'s org: another org\'s user is 404, its id no member', async () => {
  const other = await server.createOrg('Bulk Other', { domains: ['bulk-other.test'] });
  const theirs = await server.scim(other.token, 'POST', '/Users', userBody('victim@bulk-other.test'));
  const response = await bulk([
    { method: 'PATCH', path: `/Users/${theirs.body.id}`, data: replace('active', false) },
    { method: 'DELETE', path: `/Users/${theirs.body.id}` },
    { method: 'POST', path: '/Groups', bulkId: 'steal', data: groupBody('Stolen', 'SUB-1', [theirs.body.id]) },
  ]);
  assert.deepEqual(statuses(response.body), ['404', '404', '400']);
  assert.equal(response.body.Operations[2].response.scimType, 'invalidValue');
  const still = await server.scim(other.token, 'GET', `/Users/${theirs.body.id}`);
  assert.deepEqual([still.status, still.body.active], [200, true]);
});

describe('RFC 7644 §3.7.4: the request as a whole', () => {
  test('more than maxOperations (1000) operations is 413 naming the limit', async () => {
    const operations = Array.from({ length: 1001 }, (_, i) => ({ method: 'DELETE', path: `/Users/none-${i}` }));
    const response = await bulk(operations);
    assert.equal(response.status, 413);
    assert.deepEqual([response.body.schemas, response.body.status], [[SCIM_ERROR], '413']);
    assert.match(response.body.detail, /exceeds the maxOperations \(1000\)/);
  });

  test('a body over maxPayloadSize (1 MiB) is 413 naming the limit, and nothing is performed', async () => {
    const response = await bulk([{ method: 'POST', path: '/Users', bulkId: 'big', data: userBody('bulk-big@example.com', { name: { givenName: 'x'.repeat(1024 * 1024) } }) }]);
    assert.equal(response.status, 413);
    assert.deepEqual(response.body, { schemas: [SCIM_ERROR], status: '413', detail: 'The size of the bulk operation exceeds the maxPayloadSize (1048576).' });
    assert.equal(await find('userName eq "bulk-big@example.com"'), 0);
  });

  test('the wrong schemas, no Operations, a bulkId used twice or a bad failOnErrors is 400', async () => {
    const wrong = await server.scim(org.token, 'POST', '/Bulk', { schemas: [PATCH_OP], Operations: [] });
    assert.deepEqual([wrong.status, wrong.body.scimType], [400, 'invalidSyntax']);
    const none = await server.scim(org.token, 'POST', '/Bulk', { schemas: [BULK_REQUEST] });
    assert.deepEqual([none.status, none.body.scimType], [400, 'invalidSyntax']);
    const twice = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'same', data: userBody('bulk-kim@example.com') },
      { method: 'POST', path: '/Users', bulkId: 'same', data: userBody('bulk-lou@example.com') },
    ]);
    assert.deepEqual([twice.status, twice.body.scimType], [400, 'invalidValue']);
    assert.equal(await find('userName eq "bulk-kim@example.com"'), 0);
    const zero = await bulk([], { failOnErrors: 0 });
    assert.deepEqual([zero.status, zero.body.scimType], [400, 'invalidValue']);
  });

  test('an empty request is an empty BulkResponse; /Bulk takes POST only', async () => {
    const empty = await bulk([]);
    assert.deepEqual([empty.status, empty.body], [200, { schemas: [BULK_RESPONSE], Operations: [] }]);
    const get = await server.scim(org.token, 'GET', '/Bulk');
    assert.deepEqual([get.status, get.headers.get('allow')], [405, 'POST']);
    assert.equal((await server.scim(undefined, 'POST', '/Bulk', { schemas: [BULK_REQUEST], Operations: [] })).status, 401);
  });

  test('/ServiceProviderConfig advertises Bulk with its limits', async () => {
    const config = await server.scim(undefined, 'GET', '/ServiceProviderConfig');
    assert.deepEqual(config.body.bulk, { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
  });
});

/** A client's token at a server from `startImsScimServer`. */
async function tokenFor(ims: ImsScimServer): Promise<string> {
  const response = await fetch(`${ims.origin}${ims.tokenPath}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(ims.clientId)}:${encodeURIComponent(ims.clientSecret)}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function post(ims: ImsScimServer, token: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${ims.origin}/scim/v2${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

describe('createScimHandler({ bulk }): the limits are options, and Bulk can be off', () => {
  let small: ImsScimServer;
  let off: ImsScimServer;
  before(async () => {
    small = await startImsScimServer('bulksmall', { bulk: { maxOperations: 2, maxPayloadSize: 600 } });
    off = await startImsScimServer('bulkoff', { bulk: false });
  });
  after(async () => {
    await small?.close();
    await off?.close();
  });

  test('custom limits are advertised and enforced', async () => {
    const config = await (await fetch(`${small.origin}/scim/v2/ServiceProviderConfig`)).json() as { bulk: unknown };
    assert.deepEqual(config.bulk, { supported: true, maxOperations: 2, maxPayloadSize: 600 });
    const token = await tokenFor(small);
    const op = { method: 'DELETE', path: '/Users/none' };
    assert.deepEqual(statuses((await post(small, token, '/Bulk', { schemas: [BULK_REQUEST], Operations: [op, op] })).body), ['404', '404']);
    const three = await post(small, token, '/Bulk', { schemas: [BULK_REQUEST], Operations: [op, op, op] });
    assert.equal(three.status, 413);
    assert.match(three.body.detail, /maxOperations \(2\)/);
    const big = await post(small, token, '/Bulk', { schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Users', bulkId: 'b', data: userBody(`${'y'.repeat(600)}@example.com`) }] });
    assert.deepEqual([big.status, big.body.detail], [413, 'The size of the bulk operation exceeds the maxPayloadSize (600).']);
  });

  test('bulk: false answers 501 and /ServiceProviderConfig says unsupported', async () => {
    const config = await (await fetch(`${off.origin}/scim/v2/ServiceProviderConfig`)).json() as { bulk: unknown };
    assert.deepEqual(config.bulk, { supported: false, maxOperations: 0, maxPayloadSize: 0 });
    const response = await post(off, await tokenFor(off), '/Bulk', { schemas: [BULK_REQUEST], Operations: [] });
    assert.deepEqual([response.status, response.body.status], [501, '501']);
  });
});
