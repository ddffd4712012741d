/** PUT (RFC 7644 §3.5.1) and DELETE (§3.6) of Users, with the ownership rules of docs/scim.md. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acmeScimServer, userBody, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

let server: ScimTestServer;
let org: TestOrg;

acmeScimServer((s, o) => { server = s; org = o; });

test('RFC 7644 §3.5.1: PUT replaces the stored attributes; an omitted name is cleared, an omitted externalId kept', async () => {
  const created = (await server.scim(org.token, 'POST', '/Users', userBody('r1@example.com', { externalId: 'r1', name: { givenName: 'R', familyName: 'One' } }))).body;
  const put = await server.scim(org.token, 'PUT', `/Users/${created.id}`, userBody('r1-new@example.com', { name: { givenName: 'Ruth' }, active: false }));
  assert.equal(put.status, 200);
  assert.equal(put.body.userName, 'r1-new@example.com');
  assert.equal(put.body.emails[0].value, 'r1-new@example.com');
  assert.deepEqual(put.body.name, { givenName: 'Ruth', formatted: 'Ruth' }, 'an omitted part is removed, not kept as ""');
  assert.equal(put.body.active, false);
  assert.equal(put.body.externalId, 'r1');
  // id and meta are read-only: what the client sends there is ignored.
  const ignored = await server.scim(org.token, 'PUT', `/Users/${created.id}`, userBody('r1-new@example.com', { id: 'other', meta: { version: 'W/"1"' } }));
  assert.equal(ignored.body.id, created.id);
});

test('RFC 7644 §3.6: DELETE of an account the org owns deletes it; then 404', async () => {
  const created = (await server.scim(org.token, 'POST', '/Users', userBody('d1@example.com'))).body;
  const response = await server.scim(org.token, 'DELETE', `/Users/${created.id}`);
  assert.equal(response.status, 204);
  assert.equal(response.text, '');
  assert.equal((await server.scim(org.token, 'GET', `/Users/${created.id}`)).status, 404);
  assert.equal(await server.directory.getAccount(created.id), undefined);
  assert.equal((await server.scim(org.token, 'DELETE', `/Users/${created.id}`)).status, 404);
});

test('RFC 7644 §3.6: DELETE of a personal account ends the membership only', async () => {
  const created = (await server.scim(org.token, 'POST', '/Users', userBody('p@mail.test'))).body;
  assert.equal((await server.scim(org.token, 'DELETE', `/Users/${created.id}`)).status, 204);
  assert.equal((await server.scim(org.token, 'GET', `/Users/${created.id}`)).status, 404);
  assert.ok(await server.directory.getAccount(created.id));
});
