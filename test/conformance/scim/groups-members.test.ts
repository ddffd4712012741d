/** Groups = product profiles (RFC 7643 §4.2), and the member PATCH examples of RFC 7644 §3.5.2. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { groupBody, startScimTestServer, userBody, PATCH_OP, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

const GROUP_EXT = 'urn:rehome:params:scim:schemas:extension:ims:2.0:Group';
let server: ScimTestServer;
let org: TestOrg;
const ids: string[] = [];

before(async () => {
  server = await startScimTestServer();
  org = await server.createOrg('Acme', { domains: ['example.com'] });
  for (const name of ['babs', 'jim', 'ann', 'bob']) {
    ids.push((await server.scim(org.token, 'POST', '/Users', userBody(`${name}@example.com`))).body.id);
  }
});
after(async () => {
  assert.deepEqual(server.internalErrors, []);
  await server[Symbol.asyncDispose]();
});

const patch = (id: string, ...operations: unknown[]) => server.scim(org.token, 'PATCH', `/Groups/${id}`, { schemas: [PATCH_OP], Operations: operations });
const memberIds = (group: { members?: { value: string }[] }) => (group.members ?? []).map((m) => m.value).sort();

async function createGroup(name: string, members: string[] = []): Promise<any> {
  const response = await server.scim(org.token, 'POST', '/Groups', groupBody(name, '123-ABC-456', members));
  assert.equal(response.status, 201, response.text);
  return response.body;
}

test('RFC 7644 §3.3: POST /Groups creates a product profile with members, display names and $ref', async () => {
  const group = await createGroup('Marketing users', [ids[0]!]);
  assert.equal(group.displayName, 'Marketing users');
  assert.deepEqual(group[GROUP_EXT], { subscriptionId: '123-ABC-456' });
  assert.deepEqual(group.members, [{ value: ids[0], display: 'babs@example.com', $ref: `${server.url}/scim/v2/Users/${ids[0]}`, type: 'User' }]);
  const profile = await server.directory.getProfile(org.orgId, group.id);
  assert.deepEqual(profile?.members, [ids[0]]);
  const duplicate = await server.scim(org.token, 'POST', '/Groups', groupBody('Marketing users', '123-ABC-456'));
  assert.equal(duplicate.status, 409);
  assert.equal(duplicate.body.scimType, 'uniqueness');
  // A core-only body (Okta's and Entra ID's group push) is accepted: see groups-core-only.test.ts.
  const noName = await server.scim(org.token, 'POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'] });
  assert.equal(noName.status, 400);
  assert.equal(noName.body.scimType, 'invalidValue');
});

test('RFC 7644 §3.5.2.1: add members (the RFC example body)', async () => {
  const group = await createGroup('G-add');
  const response = await patch(group.id, {
    op: 'add',
    path: 'members',
    value: [{ display: 'Babs Jensen', $ref: `${server.url}/scim/v2/Users/${ids[0]}`, value: ids[0] }],
  });
  assert.equal(response.status, 200);
  assert.deepEqual(memberIds(response.body), [ids[0]]);
  // Adding an existing member is a success, not a duplicate.
  const again = await patch(group.id, { op: 'add', path: 'members', value: [{ value: ids[0] }, { value: ids[1] }] });
  assert.deepEqual(memberIds(again.body), [ids[0], ids[1]].sort());
});

test('RFC 7644 §3.5.2.2: remove one member by members[value eq "..."]', async () => {
  const group = await createGroup('G-remove-one', [ids[0]!, ids[1]!]);
  const response = await patch(group.id, { op: 'remove', path: `members[value eq "${ids[0]}"]` });
  assert.equal(response.status, 200);
  assert.deepEqual(memberIds(response.body), [ids[1]]);
  const absent = await patch(group.id, { op: 'remove', path: `members[value eq "${ids[0]}"]` });
  assert.equal(absent.status, 200, 'removing an absent member succeeds');
});

test('RFC 7644 §3.5.2.2: remove all members', async () => {
  const group = await createGroup('G-remove-all', [ids[0]!, ids[1]!]);
  const response = await patch(group.id, { op: 'remove', path: 'members' });
  assert.deepEqual(memberIds(response.body), []);
});

test('RFC 7644 §3.5.2.2: replace all members by remove + add in one request', async () => {
  const group = await createGroup('G-swap', [ids[0]!, ids[1]!]);
  const response = await patch(group.id,
    { op: 'remove', path: 'members' },
    { op: 'add', path: 'members', value: [{ display: 'Ann', value: ids[2] }, { display: 'Bob', value: ids[3] }] });
  assert.deepEqual(memberIds(response.body), [ids[2], ids[3]].sort());
});

test('RFC 7644 §3.5.2.3: replace members and displayName; remove with a value list (as Azure AD sends it)', async () => {
  const group = await createGroup('G-replace', [ids[0]!]);
  const replaced = await patch(group.id,
    { op: 'replace', path: 'members', value: [{ value: ids[1] }, { value: ids[2] }] },
    { op: 'replace', value: { displayName: 'G-replaced' } });
  assert.deepEqual(memberIds(replaced.body), [ids[1], ids[2]].sort());
  assert.equal(replaced.body.displayName, 'G-replaced');
  const azure = await patch(group.id, { op: 'Remove', path: 'members', value: [{ value: ids[1] }] });
  assert.deepEqual(memberIds(azure.body), [ids[2]]);
});

test('the subscriptionId extension can be replaced; displayName cannot be removed', async () => {
  const group = await createGroup('G-sub');
  const response = await patch(group.id, { op: 'replace', path: `${GROUP_EXT}:subscriptionId`, value: '999-XYZ-000' });
  assert.deepEqual(response.body[GROUP_EXT], { subscriptionId: '999-XYZ-000' });
  const removal = await patch(group.id, { op: 'remove', path: 'displayName' });
  assert.equal(removal.status, 400);
  assert.equal(removal.body.scimType, 'mutability');
});

test('a member must be a user of the org; a bad member changes nothing (PATCH is all or nothing)', async () => {
  const group = await createGroup('G-strict', [ids[0]!]);
  const response = await patch(group.id,
    { op: 'replace', path: 'displayName', value: 'G-should-not-happen' },
    { op: 'add', path: 'members', value: [{ value: 'not-a-user' }] });
  assert.equal(response.status, 400);
  assert.equal(response.body.scimType, 'invalidValue');
  const after = await server.scim(org.token, 'GET', `/Groups/${group.id}`);
  assert.equal(after.body.displayName, 'G-strict');
});

test('PUT replaces name and members; DELETE removes the profile; members leave with their user', async () => {
  const group = await createGroup('G-put', [ids[0]!]);
  const put = await server.scim(org.token, 'PUT', `/Groups/${group.id}`, groupBody('G-put-2', '123-ABC-456', [ids[3]!]));
  assert.equal(put.status, 200);
  assert.deepEqual(memberIds(put.body), [ids[3]]);
  const extra = (await server.scim(org.token, 'POST', '/Users', userBody('leaver@example.com'))).body.id;
  await patch(group.id, { op: 'add', path: 'members', value: [{ value: extra }] });
  assert.equal((await server.scim(org.token, 'DELETE', `/Users/${extra}`)).status, 204);
  assert.deepEqual(memberIds((await server.scim(org.token, 'GET', `/Groups/${group.id}`)).body), [ids[3]]);
  assert.equal((await server.scim(org.token, 'DELETE', `/Groups/${group.id}`)).status, 204);
  assert.equal((await server.scim(org.token, 'GET', `/Groups/${group.id}`)).status, 404);
});

test('GET /Groups filters on displayName and honours excludedAttributes=members', async () => {
  await createGroup('Filter me', [ids[0]!]);
  const response = await server.scim(org.token, 'GET', `/Groups?filter=${encodeURIComponent('displayName eq "filter ME"')}&excludedAttributes=members`);
  assert.equal(response.status, 200);
  assert.equal(response.body.totalResults, 1);
  assert.equal(response.body.Resources[0].displayName, 'Filter me');
  assert.equal(response.body.Resources[0].members, undefined);
});
