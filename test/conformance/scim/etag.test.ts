/** Versioning (RFC 7644 §3.14): meta.version, ETag, If-Match (412 on mismatch) and If-None-Match (304). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acmeScimServer, groupBody, userBody, PATCH_OP, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

let server: ScimTestServer;
let org: TestOrg;

acmeScimServer((s, o) => { server = s; org = o; });

test('RFC 7644 §3.14: the ETag header equals meta.version and changes with every write', async () => {
  const created = await server.scim(org.token, 'POST', '/Users', userBody('e1@example.com'));
  const etag = created.headers.get('etag');
  assert.equal(etag, created.body.meta.version);
  const got = await server.scim(org.token, 'GET', `/Users/${created.body.id}`);
  assert.equal(got.headers.get('etag'), etag);
  const changed = await server.scim(org.token, 'PATCH', `/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'name.givenName', value: 'E' }] });
  assert.notEqual(changed.headers.get('etag'), etag);
});

test('RFC 7644 §3.14: If-Match with the current version succeeds; a stale one is 412 and changes nothing', async () => {
  const created = await server.scim(org.token, 'POST', '/Users', userBody('e2@example.com'));
  const id = created.body.id;
  const v1 = created.headers.get('etag')!;
  const ok = await server.scim(org.token, 'PUT', `/Users/${id}`, userBody('e2@example.com', { name: { givenName: 'Two' } }), { 'if-match': v1 });
  assert.equal(ok.status, 200);
  const stale = await server.scim(org.token, 'PUT', `/Users/${id}`, userBody('e2@example.com', { name: { givenName: 'Lost update' } }), { 'if-match': v1 });
  assert.equal(stale.status, 412);
  assert.deepEqual(stale.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  assert.equal(stale.body.status, '412');
  assert.equal((await server.directory.getAccount(id))?.firstName, 'Two');
  const stalePatch = await server.scim(org.token, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }, { 'if-match': v1 });
  assert.equal(stalePatch.status, 412);
  const staleDelete = await server.scim(org.token, 'DELETE', `/Users/${id}`, undefined, { 'if-match': v1 });
  assert.equal(staleDelete.status, 412);
  assert.equal((await server.scim(org.token, 'DELETE', `/Users/${id}`, undefined, { 'if-match': '*' })).status, 204);
});

test('RFC 7232 §3.2: If-None-Match with the current version answers 304 without a body', async () => {
  const created = await server.scim(org.token, 'POST', '/Users', userBody('e3@example.com'));
  const response = await server.scim(org.token, 'GET', `/Users/${created.body.id}`, undefined, { 'if-none-match': created.headers.get('etag')! });
  assert.equal(response.status, 304);
  assert.equal(response.text, '');
  const changed = await server.scim(org.token, 'GET', `/Users/${created.body.id}`, undefined, { 'if-none-match': 'W/"999"' });
  assert.equal(changed.status, 200);
});

test('Groups carry versions too: a member change moves the ETag, a stale If-Match is 412', async () => {
  const user = await server.scim(org.token, 'POST', '/Users', userBody('e4@example.com'));
  const group = await server.scim(org.token, 'POST', '/Groups', groupBody('E-group', '123-ABC-456'));
  const v1 = group.headers.get('etag')!;
  assert.equal(v1, group.body.meta.version);
  const add = await server.scim(org.token, 'PATCH', `/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }] }, { 'if-match': v1 });
  assert.equal(add.status, 200);
  assert.notEqual(add.headers.get('etag'), v1);
  const stale = await server.scim(org.token, 'PATCH', `/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] }, { 'if-match': v1 });
  assert.equal(stale.status, 412);
  assert.equal((await server.directory.getProfile(org.orgId, group.body.id))?.members.length, 1);
});
