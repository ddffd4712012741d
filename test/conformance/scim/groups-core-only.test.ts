/**
 * Groups as Okta's and Entra ID's default group push sends them (RFC 7643 §4.2 core attributes only), `externalId`
 * stored and returned (RFC 7643 §3.1), and Group PATCH that applies or fails (RFC 7644 §3.5.2): the extension
 * replaced whole by path, unknown attributes refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acmeScimServer, groupBody, userBody, PATCH_OP, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const EXT = 'urn:rehome:params:scim:schemas:extension:ims:2.0:Group';
let server: ScimTestServer;
let org: TestOrg;

acmeScimServer((s, o) => { server = s; org = o; });

const patch = (id: string, ...operations: unknown[]) => server.scim(org.token, 'PATCH', `/Groups/${id}`, { schemas: [PATCH_OP], Operations: operations });

test('RFC 7643 §4.2: a core-only Group (Okta/Entra group push) is created; externalId is stored and returned', async () => {
  const created = await server.scim(org.token, 'POST', '/Groups', { schemas: [GROUP], displayName: 'Okta pushed', externalId: 'okta-00g1', members: [] });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.externalId, 'okta-00g1');
  assert.deepEqual(created.body.schemas, [GROUP]);
  assert.equal(created.body[EXT], undefined, 'no subscription yet');
  const read = await server.scim(org.token, 'GET', `/Groups/${created.body.id}`);
  assert.equal(read.body.externalId, 'okta-00g1');
  const found = await server.scim(org.token, 'GET', `/Groups?filter=${encodeURIComponent('externalId eq "okta-00g1"')}`);
  assert.deepEqual(found.body.Resources.map((g: any) => g.id), [created.body.id]);
  const types = await server.scim(undefined, 'GET', '/ResourceTypes/Group');
  assert.equal(types.body.schemaExtensions[0].required, false);
});

test('RFC 7644 §3.5.2: Group externalId by PATCH (replace, remove) and PUT', async () => {
  const group = (await server.scim(org.token, 'POST', '/Groups', groupBody('G-ext', '123-ABC-456'))).body;
  const set = await patch(group.id, { op: 'replace', path: 'externalId', value: 'entra-7' });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.body.externalId, 'entra-7');
  const put = await server.scim(org.token, 'PUT', `/Groups/${group.id}`, { ...groupBody('G-ext', '123-ABC-456'), externalId: 'entra-8' });
  assert.equal(put.body.externalId, 'entra-8');
  const removed = await patch(group.id, { op: 'remove', path: 'externalId' });
  assert.equal(removed.status, 200);
  assert.equal(removed.body.externalId, undefined);
});

test('RFC 7644 §3.5.2.3: replace of the whole Group extension by path applies it', async () => {
  const group = (await server.scim(org.token, 'POST', '/Groups', { schemas: [GROUP], displayName: 'G-whole' })).body;
  const response = await patch(group.id, { op: 'replace', path: EXT, value: { subscriptionId: '555-NEW-000' } });
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(response.body[EXT], { subscriptionId: '555-NEW-000' });
  assert.ok(response.body.schemas.includes(EXT));
  const pathless = await patch(group.id, { op: 'replace', value: { [EXT]: { subscriptionId: '556-NEW-000' } } });
  assert.deepEqual(pathless.body[EXT], { subscriptionId: '556-NEW-000' });
});

test('RFC 7644 §3.5.2: a Group PATCH naming an unknown attribute is 400 invalidPath; id is read-only', async () => {
  const group = (await server.scim(org.token, 'POST', '/Groups', groupBody('G-strict2', '123-ABC-456'))).body;
  for (const op of [{ op: 'replace', path: 'bogus', value: 'x' }, { op: 'replace', value: { description: 'x' } }, { op: 'replace', path: `${EXT}:color`, value: 'x' }]) {
    const response = await patch(group.id, op);
    assert.equal(response.status, 400, JSON.stringify(op));
    assert.equal(response.body.scimType, 'invalidPath', JSON.stringify(op));
  }
  const changeId = await patch(group.id, { op: 'replace', path: 'id', value: 'other' });
  assert.equal(changeId.body.scimType, 'mutability');
  // Okta renames with { id, displayName }: the current id is fine.
  const rename = await patch(group.id, { op: 'replace', value: { id: group.id, displayName: 'G-strict2-renamed' } });
  assert.equal(rename.status, 200, rename.text);
  assert.equal(rename.body.displayName, 'G-strict2-renamed');
});

test('RFC 7644 §3.4.2.2: members[value eq "<id>"] finds the groups of a user', async () => {
  const user = (await server.scim(org.token, 'POST', '/Users', userBody('member-of@example.com'))).body;
  const a = (await server.scim(org.token, 'POST', '/Groups', groupBody('G-mem-a', '123-ABC-456', [user.id]))).body;
  await server.scim(org.token, 'POST', '/Groups', groupBody('G-mem-b', '123-ABC-456'));
  for (const filter of [`members[value eq "${user.id}"]`, `members.value eq "${user.id}"`]) {
    const response = await server.scim(org.token, 'GET', `/Groups?filter=${encodeURIComponent(filter)}&excludedAttributes=members`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.Resources.map((g: any) => g.id), [a.id], filter);
  }
});
