/**
 * Tenant isolation (issue 4, item 5): a token of org A reads and writes nothing of org B. Another org's ids answer
 * 404 exactly like ids that never existed; lists show only the caller's org.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { groupBody, startScimTestServer, userBody, PATCH_OP, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

let server: ScimTestServer;
let a: TestOrg;
let b: TestOrg;
let bUser: any;
let bGroup: any;
let aUser: any;

before(async () => {
  server = await startScimTestServer();
  a = await server.createOrg('A', { domains: ['a.test'] });
  b = await server.createOrg('B', { domains: ['b.test'] });
  aUser = (await server.scim(a.token, 'POST', '/Users', userBody('ann@a.test', { externalId: 'shared-ext' }))).body;
  bUser = (await server.scim(b.token, 'POST', '/Users', userBody('bob@b.test', { externalId: 'shared-ext' }))).body;
  bGroup = (await server.scim(b.token, 'POST', '/Groups', groupBody('B profile', 'B-SUB', [bUser.id]))).body;
});
after(async () => {
  assert.deepEqual(server.internalErrors, []);
  await server[Symbol.asyncDispose]();
});

test('Users: GET, PUT, PATCH and DELETE of B\'s user with A\'s token are 404, and B\'s user is untouched', async () => {
  const version = (await server.directory.getAccount(bUser.id))!.version;
  assert.equal((await server.scim(a.token, 'GET', `/Users/${bUser.id}`)).status, 404);
  assert.equal((await server.scim(a.token, 'PUT', `/Users/${bUser.id}`, userBody('bob@b.test', { name: { givenName: 'Pwned' } }))).status, 404);
  assert.equal((await server.scim(a.token, 'PATCH', `/Users/${bUser.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] })).status, 404);
  assert.equal((await server.scim(a.token, 'DELETE', `/Users/${bUser.id}`)).status, 404);
  const after = await server.directory.getAccount(bUser.id);
  assert.equal(after?.version, version);
  assert.equal(after?.status, 'active');
});

test('Users: lists and filters show only the caller\'s org, even for a shared externalId or B\'s exact userName', async () => {
  const all = await server.scim(a.token, 'GET', '/Users');
  assert.deepEqual(all.body.Resources.map((u: { id: string }) => u.id), [aUser.id]);
  const ext = await server.scim(a.token, 'GET', `/Users?filter=${encodeURIComponent('externalId eq "shared-ext"')}`);
  assert.deepEqual(ext.body.Resources.map((u: { id: string }) => u.id), [aUser.id]);
  const byName = await server.scim(a.token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "bob@b.test" or emails co "b.test"')}`);
  assert.equal(byName.body.totalResults, 0);
});

test('Users: A cannot create an enterprise account in B\'s claimed domain', async () => {
  const response = await server.scim(a.token, 'POST', '/Users', userBody('eve@b.test', { 'urn:rehome:params:scim:schemas:extension:ims:2.0:User': { type: 'enterprise' } }));
  assert.equal(response.status, 400);
});

test('Groups: B\'s profile is 404 to A for every method, invisible in lists, and unchanged', async () => {
  assert.equal((await server.scim(a.token, 'GET', `/Groups/${bGroup.id}`)).status, 404);
  assert.equal((await server.scim(a.token, 'PUT', `/Groups/${bGroup.id}`, groupBody('mine', 'X'))).status, 404);
  assert.equal((await server.scim(a.token, 'PATCH', `/Groups/${bGroup.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] })).status, 404);
  assert.equal((await server.scim(a.token, 'DELETE', `/Groups/${bGroup.id}`)).status, 404);
  const list = await server.scim(a.token, 'GET', `/Groups?filter=${encodeURIComponent('displayName eq "B profile"')}`);
  assert.equal(list.body.totalResults, 0);
  const profile = await server.directory.getProfile(b.orgId, bGroup.id);
  assert.equal(profile?.name, 'B profile');
  assert.deepEqual(profile?.members, [bUser.id]);
});

test('Groups: A cannot put B\'s user into A\'s group (as unknown as a made-up id)', async () => {
  const group = (await server.scim(a.token, 'POST', '/Groups', groupBody('A profile', 'A-SUB'))).body;
  const response = await server.scim(a.token, 'PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: bUser.id }] }] });
  assert.equal(response.status, 400);
  assert.doesNotMatch(response.body.detail, /bob/);
  const create = await server.scim(a.token, 'POST', '/Groups', groupBody('A profile 2', 'A-SUB', [bUser.id]));
  assert.equal(create.status, 400);
});

test('a personal account in both orgs: each org sees its own externalId; A removing it leaves B\'s membership', async () => {
  const person = await server.directory.createAccount({ email: 'both@mail.test' });
  await server.directory.verifyEmail(person.id, 'both@mail.test');
  const inA = await server.scim(a.token, 'POST', '/Users', userBody('both@mail.test', { externalId: 'a-1' }));
  const inB = await server.scim(b.token, 'POST', '/Users', userBody('both@mail.test', { externalId: 'b-1' }));
  assert.equal(inA.body.id, person.id);
  assert.equal(inB.body.id, person.id);
  assert.equal((await server.scim(a.token, 'GET', `/Users/${person.id}`)).body.externalId, 'a-1');
  assert.equal((await server.scim(b.token, 'GET', `/Users/${person.id}`)).body.externalId, 'b-1');
  assert.equal((await server.scim(a.token, 'DELETE', `/Users/${person.id}`)).status, 204);
  assert.equal((await server.scim(a.token, 'GET', `/Users/${person.id}`)).status, 404);
  assert.equal((await server.scim(b.token, 'GET', `/Users/${person.id}`)).status, 200);
  assert.ok(await server.directory.getAccount(person.id), 'a personal account is never deleted by an org');
});
