/**
 * Incremental sync and ordering: `meta.lastModified gt|ge|lt|le "<dateTime>"` (RFC 7644 §3.4.2.2, RFC 7643
 * §2.3.5) on Users and Groups, and `sortBy`/`sortOrder` (§3.4.2.3), advertised in /ServiceProviderConfig.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { acmeScimServer, groupBody, userBody, PATCH_OP, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

let server: ScimTestServer;
let org: TestOrg;

acmeScimServer((s, o) => { server = s; org = o; });

const list = async (path: string, filter: string, extra = '') => {
  const response = await server.scim(org.token, 'GET', `${path}?filter=${encodeURIComponent(filter)}${extra}`);
  assert.equal(response.status, 200, `${filter}: ${response.text}`);
  return response.body.Resources as any[];
};

test('meta.lastModified gt/ge/lt/le: only what changed since a point in time', async () => {
  const old = (await server.scim(org.token, 'POST', '/Users', userBody('sync-old@example.com'))).body;
  await sleep(5);
  const mark = new Date().toISOString();
  await sleep(5);
  const fresh = (await server.scim(org.token, 'POST', '/Users', userBody('sync-new@example.com'))).body;
  assert.deepEqual((await list('/Users', `meta.lastModified gt "${mark}"`)).map((u) => u.id), [fresh.id]);
  assert.deepEqual((await list('/Users', `meta.lastModified ge "${fresh.meta.lastModified}"`)).map((u) => u.id), [fresh.id]);
  assert.deepEqual((await list('/Users', `meta.lastModified lt "${mark}"`)).map((u) => u.id), [old.id]);
  assert.deepEqual((await list('/Users', `meta.lastModified le "${old.meta.lastModified}"`)).map((u) => u.id), [old.id]);
  // A change moves the old user past the mark.
  await server.scim(org.token, 'PATCH', `/Users/${old.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'name.givenName', value: 'Changed' }] });
  assert.deepEqual((await list('/Users', `meta.lastModified gt "${mark}"`)).map((u) => u.id).sort(), [old.id, fresh.id].sort());
  // Groups too.
  await sleep(5);
  const groupMark = new Date().toISOString();
  await sleep(5);
  const group = (await server.scim(org.token, 'POST', '/Groups', groupBody('Sync group', '123-ABC-456'))).body;
  assert.deepEqual((await list('/Groups', `meta.lastModified gt "${groupMark}"`)).map((g) => g.id), [group.id]);
  const bad = await server.scim(org.token, 'GET', `/Users?filter=${encodeURIComponent('meta.lastModified gt "last tuesday"')}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.scimType, 'invalidFilter');
});

test('sortBy/sortOrder order Users and Groups; an unsortable attribute is 400 invalidValue', async () => {
  const config = await server.scim(undefined, 'GET', '/ServiceProviderConfig');
  assert.equal(config.body.sort.supported, true);
  for (const name of ['sort-b@example.com', 'sort-c@example.com', 'sort-a@example.com']) await server.scim(org.token, 'POST', '/Users', userBody(name));
  const ascending = await list('/Users', 'userName sw "sort-"', '&sortBy=userName');
  assert.deepEqual(ascending.map((u) => u.userName), ['sort-a@example.com', 'sort-b@example.com', 'sort-c@example.com']);
  const descending = await list('/Users', 'userName sw "sort-"', '&sortBy=userName&sortOrder=descending');
  assert.deepEqual(descending.map((u) => u.userName), ['sort-c@example.com', 'sort-b@example.com', 'sort-a@example.com']);
  for (const name of ['Sort Y', 'Sort X']) await server.scim(org.token, 'POST', '/Groups', groupBody(name, '123-ABC-456'));
  const groups = await list('/Groups', 'displayName sw "Sort "', '&sortBy=displayName');
  assert.deepEqual(groups.map((g) => g.displayName), ['Sort X', 'Sort Y']);
  const search = await server.scim(org.token, 'POST', '/Users/.search', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "sort-"', sortBy: 'userName', sortOrder: 'descending',
  });
  assert.equal(search.body.Resources[0].userName, 'sort-c@example.com');
  const bad = await server.scim(org.token, 'GET', '/Users?sortBy=password');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.scimType, 'invalidValue');
  const badOrder = await server.scim(org.token, 'GET', '/Users?sortBy=userName&sortOrder=up');
  assert.equal(badOrder.body.scimType, 'invalidValue');
});
