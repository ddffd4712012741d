/**
 * Every User PATCH/PUT either applies the change or fails with the RFC 7644 §3.12 error (`invalidPath`,
 * `mutability`, `noTarget`, `invalidValue`): never a 200 that changed nothing. And `/Schemas` is followed: emails
 * are optional when userName is an email address.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acmeScimServer, userBody, PATCH_OP, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

const EXT = 'urn:rehome:params:scim:schemas:extension:ims:2.0:User';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
let server: ScimTestServer;
let org: TestOrg;

acmeScimServer((s, o) => { server = s; org = o; });

async function create(userName: string, extra: Record<string, unknown> = {}): Promise<any> {
  const response = await server.scim(org.token, 'POST', '/Users', userBody(userName, { name: { givenName: 'Barbara', familyName: 'Jensen' }, ...extra }));
  assert.equal(response.status, 201, response.text);
  return response.body;
}
const patch = (id: string, ...operations: unknown[]) => server.scim(org.token, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: operations });

async function assertRefused(id: string, scimType: string, ...operations: unknown[]): Promise<void> {
  const before = await server.scim(org.token, 'GET', `/Users/${id}`);
  const response = await patch(id, ...operations);
  assert.equal(response.status, 400, `${JSON.stringify(operations)}: ${response.text}`);
  assert.equal(response.body.scimType, scimType, response.text);
  const after = await server.scim(org.token, 'GET', `/Users/${id}`);
  assert.equal(after.body.meta.version, before.body.meta.version, 'a refused PATCH changes nothing');
}

test('/Schemas: POST without emails is accepted when userName is an email address, and the schema says so', async () => {
  const created = await server.scim(org.token, 'POST', '/Users', { schemas: [USER], userName: 'no-emails@example.com' });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.emails[0].value, 'no-emails@example.com');
  const schema = await server.scim(undefined, 'GET', `/Schemas/${USER}`);
  const emails = schema.body.attributes.find((a: any) => a.name === 'emails');
  assert.equal(emails.required, false);
  assert.match(emails.description, /userName/, 'the schema states when emails may be left out');
  const refused = await server.scim(org.token, 'POST', '/Users', { schemas: [USER], userName: 'bjensen' });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.scimType, 'invalidValue');
  assert.match(refused.body.detail, /userName is not an email address/);
});

test('RFC 7644 §3.5.2: an unknown attribute, by path or in a path-less value, is 400 invalidPath', async () => {
  const user = await create('bogus@example.com');
  await assertRefused(user.id, 'invalidPath', { op: 'replace', path: 'bogus', value: 'x' });
  await assertRefused(user.id, 'invalidPath', { op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', value: '7' });
  await assertRefused(user.id, 'invalidPath', { op: 'replace', value: { nickName: 'Babs' } });
  await assertRefused(user.id, 'invalidValue', { op: 'replace', value: 'not an object' });
});

test('RFC 7644 §3.5.2: removing name, or one part of it, removes it (no "" left behind)', async () => {
  const user = await create('rm-name@example.com');
  const family = await patch(user.id, { op: 'remove', path: 'name.familyName' });
  assert.equal(family.status, 200, family.text);
  assert.deepEqual(family.body.name, { givenName: 'Barbara', formatted: 'Barbara' });
  const whole = await patch(user.id, { op: 'remove', path: 'name' });
  assert.equal(whole.status, 200, whole.text);
  assert.equal(whole.body.name, undefined);
  assert.equal(whole.body.displayName, undefined);
  assert.equal((await server.scim(org.token, 'GET', `/Users/${user.id}`)).body.name, undefined);
});

test('RFC 7644 §3.5.1: PUT without name.familyName clears it (absent, not "")', async () => {
  const user = await create('put-name@example.com');
  const response = await server.scim(org.token, 'PUT', `/Users/${user.id}`, userBody('put-name@example.com', { name: { givenName: 'Barbara' } }));
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(response.body.name, { givenName: 'Barbara', formatted: 'Barbara' });
});

test('RFC 7644 §3.5.2: removing active, emails, userName or the IMS extension is 400 mutability', async () => {
  const user = await create('rm-required@example.com');
  await assertRefused(user.id, 'mutability', { op: 'remove', path: 'active' });
  await assertRefused(user.id, 'mutability', { op: 'remove', path: 'emails' });
  await assertRefused(user.id, 'mutability', { op: 'remove', path: 'emails[type eq "work"]' });
  await assertRefused(user.id, 'mutability', { op: 'replace', path: 'emails', value: [] });
  await assertRefused(user.id, 'mutability', { op: 'remove', path: 'userName' });
  await assertRefused(user.id, 'mutability', { op: 'remove', path: EXT });
  await assertRefused(user.id, 'mutability', { op: 'replace', path: 'active', value: null });
});

test('RFC 7644 §3.5.2: read-only attributes: a change is 400 mutability, their current value is accepted', async () => {
  const user = await create('readonly@example.com');
  await assertRefused(user.id, 'mutability', { op: 'replace', path: 'displayName', value: 'Someone Else' });
  await assertRefused(user.id, 'mutability', { op: 'replace', path: `${EXT}:type`, value: 'personal' });
  await assertRefused(user.id, 'mutability', { op: 'replace', path: EXT, value: { type: 'personal' } });
  await assertRefused(user.id, 'mutability', { op: 'replace', path: 'id', value: 'other' });
  const same = await patch(user.id, { op: 'replace', path: 'displayName', value: 'Barbara Jensen' }, { op: 'replace', path: EXT, value: { type: 'enterprise' } });
  assert.equal(same.status, 200, same.text);
});

test('a personal account: the org changing its name or email is 400 mutability, not a 200 that changed nothing', async () => {
  const user = await create('pat@mail.test');
  assert.equal(user[EXT].type, 'personal');
  await assertRefused(user.id, 'mutability', { op: 'replace', path: 'name.givenName', value: 'Patricia' });
  await assertRefused(user.id, 'mutability', { op: 'replace', path: 'emails[type eq "work"].value', value: 'pat2@mail.test' });
  const put = await server.scim(org.token, 'PUT', `/Users/${user.id}`, userBody('pat@mail.test', { name: { givenName: 'Pat', familyName: 'Jensen' } }));
  assert.equal(put.status, 400, put.text);
  assert.equal(put.body.scimType, 'mutability');
  // What the org does own is applied.
  const external = await patch(user.id, { op: 'replace', path: 'externalId', value: 'crm-9' });
  assert.equal(external.status, 200, external.text);
  assert.equal(external.body.externalId, 'crm-9');
});
