/**
 * `active: false` (Okta's and Entra ID's deprovisioning call) works for every member of the org. On a personal
 * account (its domain is not the org's) it ends the org's access: the membership is deactivated, the account
 * stays as its person left it; `active: true` restores the membership.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acmeScimServer, groupBody, userBody, PATCH_OP, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

let server: ScimTestServer;
let org: TestOrg;

acmeScimServer((s, o) => { server = s; org = o; });

const patch = (id: string, ...operations: unknown[]) => server.scim(org.token, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: operations });

test('Okta/Entra deprovisioning of a personal account: 200, active false, the org access ends, the account stays', async () => {
  const user = (await server.scim(org.token, 'POST', '/Users', userBody('vera@mail.test'))).body;
  await server.scim(org.token, 'POST', '/Groups', groupBody('Deact profile', '123-ABC-456', [user.id]));
  assert.equal(user['urn:rehome:params:scim:schemas:extension:ims:2.0:User'].type, 'personal');
  // Okta's form (no path) and Entra ID's (path, "False" string).
  const okta = await patch(user.id, { op: 'replace', value: { active: false } });
  assert.equal(okta.status, 200, okta.text);
  assert.equal(okta.body.active, false);
  assert.equal((await server.scim(org.token, 'GET', `/Users/${user.id}`)).body.active, false);
  const entra = await patch(user.id, { op: 'Replace', path: 'active', value: 'False' });
  assert.equal(entra.status, 200, entra.text);
  const inactive = await server.scim(org.token, 'GET', `/Users?filter=${encodeURIComponent('active eq false and userName eq "vera@mail.test"')}`);
  assert.equal(inactive.body.totalResults, 1, 'inactive users are still listed and filterable');
  const account = await server.directory.getAccount(user.id);
  assert.equal(account?.status, 'active', 'the personal account itself is not disabled');
  assert.deepEqual(await server.directory.listMemberships(user.id), [], 'the org grants nothing while deactivated');
  const back = await patch(user.id, { op: 'replace', path: 'active', value: true });
  assert.equal(back.body.active, true);
  assert.equal((await server.directory.listMemberships(user.id)).length, 1);
});

test('an owned account: active false disables the account itself', async () => {
  const user = (await server.scim(org.token, 'POST', '/Users', userBody('own-deact@example.com'))).body;
  const response = await patch(user.id, { op: 'replace', value: { active: false } });
  assert.equal(response.body.active, false);
  assert.equal((await server.directory.getAccount(user.id))?.status, 'disabled');
});
