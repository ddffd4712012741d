/** The Admin API (JSON) under /ims/admin/v1: orgs, domains, users, product profiles, and tenant isolation. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startScimTestServer, type ScimTestServer, type TestOrg } from '../conformance/scim/scim-test-server.ts';

let server: ScimTestServer;
let a: TestOrg;
let b: TestOrg;

before(async () => {
  server = await startScimTestServer();
  a = await server.createOrg('A', { domains: ['a.test'] });
  b = await server.createOrg('B', { domains: ['b.test'] });
});
after(async () => {
  assert.deepEqual(server.internalErrors, []);
  await server[Symbol.asyncDispose]();
});

test('GET /orgs/{orgId} shows the org without secrets', async () => {
  await server.directory.setSsoFederation(a.orgId, { domains: ['a.test'], issuer: 'https://idp.a.test', clientId: 'cid', clientSecret: 'top-secret' });
  const response = await server.admin(a.token, 'GET', `/orgs/${a.orgId}`);
  assert.equal(response.status, 200);
  assert.equal(response.body.name, 'A');
  assert.deepEqual(response.body.sso, { domains: ['a.test'], issuer: 'https://idp.a.test', clientId: 'cid' });
  assert.doesNotMatch(response.text, /top-secret/);
  await server.directory.setSsoFederation(a.orgId, null);
});

test('domains: claim (pending until DNS proof, claimedBy names the client), list, release; another org\'s domain is 409', async () => {
  const claimed = await server.admin(a.token, 'POST', `/orgs/${a.orgId}/domains`, { domain: 'Sales.A.test' });
  assert.equal(claimed.status, 202, 'an org client\'s claim waits for its DNS proof (test/integration/domain-claims.test.ts)');
  const entry = claimed.body.items.find((d: { domain: string }) => d.domain === 'sales.a.test');
  assert.equal(entry.status, 'pending');
  assert.equal(entry.claimedBy, `client:${a.clientId}`);
  assert.equal((await server.admin(a.token, 'POST', `/orgs/${a.orgId}/domains`, { domain: 'b.test' })).status, 409);
  const list = await server.admin(a.token, 'GET', `/orgs/${a.orgId}/domains`);
  assert.deepEqual(list.body.items.map((d: { domain: string }) => d.domain).sort(), ['a.test', 'sales.a.test']);
  assert.equal((await server.admin(a.token, 'DELETE', `/orgs/${a.orgId}/domains/sales.a.test`)).status, 204);
  assert.equal((await server.admin(a.token, 'DELETE', `/orgs/${a.orgId}/domains/sales.a.test`)).status, 404);
});

test('users: create (enterprise in a claimed domain), get, list by email, disable, enable, delete', async () => {
  const created = await server.admin(a.token, 'POST', `/orgs/${a.orgId}/users`, { email: 'amy@a.test', firstName: 'Amy', externalId: 'amy-1' });
  assert.equal(created.status, 201);
  assert.equal(created.body.outcome, 'created');
  const user = created.body.user;
  assert.equal(user.type, 'enterprise');
  assert.equal(user.ownedByOrg, true);
  assert.equal(user.emailVerified, false);
  assert.equal(user.passwordHash, undefined);
  assert.equal((await server.admin(a.token, 'GET', `/orgs/${a.orgId}/users/${user.id}`)).body.email, 'amy@a.test');
  const list = await server.admin(a.token, 'GET', `/orgs/${a.orgId}/users?email=AMY@a.test`);
  assert.deepEqual(list.body.items.map((u: { id: string }) => u.id), [user.id]);
  assert.equal((await server.admin(a.token, 'POST', `/orgs/${a.orgId}/users/${user.id}/disable`)).body.status, 'disabled');
  assert.equal((await server.admin(a.token, 'POST', `/orgs/${a.orgId}/users/${user.id}/enable`)).body.status, 'active');
  assert.equal((await server.admin(a.token, 'DELETE', `/orgs/${a.orgId}/users/${user.id}`)).status, 204);
  assert.equal((await server.admin(a.token, 'GET', `/orgs/${a.orgId}/users/${user.id}`)).status, 404);
});

test('users: emailVerified cannot be set; a personal account cannot be disabled by the org (403)', async () => {
  const refused = await server.admin(a.token, 'POST', `/orgs/${a.orgId}/users`, { email: 'v@a.test', emailVerified: true });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error.code, 'read_only');
  const personal = await server.admin(a.token, 'POST', `/orgs/${a.orgId}/users`, { email: 'pat@mail.test' });
  assert.equal(personal.body.user.type, 'personal');
  const disable = await server.admin(a.token, 'POST', `/orgs/${a.orgId}/users/${personal.body.user.id}/disable`);
  assert.equal(disable.status, 403);
  assert.equal(disable.body.error.code, 'forbidden');
});

test('product profiles: create, list, add and remove members', async () => {
  const user = (await server.admin(a.token, 'POST', `/orgs/${a.orgId}/users`, { email: 'pp@a.test' })).body.user;
  const profile = await server.admin(a.token, 'POST', `/orgs/${a.orgId}/product-profiles`, { name: 'Marketing', subscriptionId: '123-ABC-456' });
  assert.equal(profile.status, 201);
  const added = await server.admin(a.token, 'POST', `/orgs/${a.orgId}/product-profiles/${profile.body.id}/members`, { accountIds: [user.id] });
  assert.deepEqual(added.body.members, [user.id]);
  const list = await server.admin(a.token, 'GET', `/orgs/${a.orgId}/product-profiles`);
  assert.ok(list.body.items.some((p: { id: string }) => p.id === profile.body.id));
  const removed = await server.admin(a.token, 'DELETE', `/orgs/${a.orgId}/product-profiles/${profile.body.id}/members/${user.id}`);
  assert.deepEqual(removed.body.members, []);
  const bad = await server.admin(a.token, 'POST', `/orgs/${a.orgId}/product-profiles`, { name: 'No subscription' });
  assert.equal(bad.status, 400);
});

test('tenant isolation: A\'s token gets 404 for B\'s org, users and profiles, and cannot add B\'s users', async () => {
  const bUser = (await server.admin(b.token, 'POST', `/orgs/${b.orgId}/users`, { email: 'bea@b.test' })).body.user;
  const bProfile = (await server.admin(b.token, 'POST', `/orgs/${b.orgId}/product-profiles`, { name: 'B only', subscriptionId: 'B-1' })).body;
  for (const [method, path, body] of [
    ['GET', `/orgs/${b.orgId}`],
    ['GET', `/orgs/${b.orgId}/users`],
    ['GET', `/orgs/${b.orgId}/users/${bUser.id}`],
    ['POST', `/orgs/${b.orgId}/users/${bUser.id}/disable`],
    ['DELETE', `/orgs/${b.orgId}/users/${bUser.id}`],
    ['POST', `/orgs/${b.orgId}/domains`, { domain: 'evil.test' }],
    ['GET', `/orgs/${b.orgId}/users.csv`],
    ['GET', `/orgs/${b.orgId}/product-profiles/${bProfile.id}`],
    ['GET', `/orgs/${a.orgId}/users/${bUser.id}`],
    ['GET', `/orgs/${a.orgId}/product-profiles/${bProfile.id}`],
    ['POST', `/orgs/${a.orgId}/users/${bUser.id}/disable`],
  ] as const) {
    const response = await server.admin(a.token, method, path, body);
    assert.equal(response.status, 404, `${method} ${path}`);
  }
  const aProfile = (await server.admin(a.token, 'POST', `/orgs/${a.orgId}/product-profiles`, { name: 'A only', subscriptionId: 'A-1' })).body;
  const steal = await server.admin(a.token, 'POST', `/orgs/${a.orgId}/product-profiles/${aProfile.id}/members`, { accountIds: [bUser.id] });
  assert.equal(steal.status, 404);
  const users = await server.admin(a.token, 'GET', `/orgs/${a.orgId}/users`);
  assert.ok(!users.body.items.some((u: { id: string }) => u.id === bUser.id));
  assert.equal((await server.directory.getAccount(bUser.id))?.status, 'active');
});

test('auth: no token 401; a scim-only token 403; unknown paths 404', async () => {
  assert.equal((await server.admin(undefined, 'GET', `/orgs/${a.orgId}`)).status, 401);
  const scimOnly = await server.fetchToken(a.clientId, a.clientSecret, 'scim');
  const response = await server.admin(scimOnly, 'GET', `/orgs/${a.orgId}`);
  assert.equal(response.status, 403);
  assert.equal(response.body.error.code, 'insufficient_scope');
  assert.equal((await server.admin(a.token, 'GET', '/nothing')).status, 404);
});
