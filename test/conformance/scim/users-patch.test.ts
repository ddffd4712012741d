/** PATCH of Users (RFC 7644 §3.5.2): add/replace/remove with and without path, value filters, active. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acmeScimServer, userBody, PATCH_OP, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

const EXT = 'urn:rehome:params:scim:schemas:extension:ims:2.0:User';
let server: ScimTestServer;
let org: TestOrg;

acmeScimServer((s, o) => { server = s; org = o; });

async function create(userName: string, extra: Record<string, unknown> = {}): Promise<any> {
  const response = await server.scim(org.token, 'POST', '/Users', userBody(userName, { name: { givenName: 'Barbara', familyName: 'Jensen' }, ...extra }));
  assert.equal(response.status, 201, response.text);
  return response.body;
}

const patch = (id: string, ...operations: unknown[]) => server.scim(org.token, 'PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: operations });

test('RFC 7644 §3.5.2.3: replace a single attribute by path', async () => {
  const user = await create('p1@example.com');
  const response = await patch(user.id, { op: 'replace', path: 'name.familyName', value: 'Smith' });
  assert.equal(response.status, 200);
  assert.equal(response.body.name.familyName, 'Smith');
  assert.equal(response.body.name.givenName, 'Barbara');
  assert.notEqual(response.body.meta.version, user.meta.version);
});

test('RFC 7644 §3.5.2.1: add without path merges the attributes of value (the RFC example, reduced to stored attributes)', async () => {
  const user = await create('p2@example.com');
  // §3.5.2.1 example: {"op":"add","value":{"emails":[{"value":"babs@jensen.org","type":"home"}],"nickname":"Babs"}}
  // (nickName is not stored: naming it is 400 invalidPath, see users-no-silent-noop.test.ts.)
  const response = await patch(user.id, { op: 'add', value: { emails: [{ value: 'babs@example.com', type: 'home', primary: true }] } });
  assert.equal(response.status, 200);
  assert.equal(response.body.emails[0].value, 'babs@example.com');
  // A new address is unverified, whatever the old one was.
  assert.equal(response.body[EXT].emailVerified, false);
});

test('RFC 7644 §3.5.2.3: replace without path (value is a partial resource)', async () => {
  const user = await create('p3@example.com');
  const response = await patch(user.id, { op: 'replace', value: { userName: 'p3-renamed@example.com', name: { givenName: 'Babs' } } });
  assert.equal(response.status, 200);
  assert.equal(response.body.userName, 'p3-renamed@example.com');
  assert.equal(response.body.name.givenName, 'Babs');
  assert.equal(response.body.name.familyName, 'Jensen');
});

test('RFC 7644 §3.5.2.3: replace emails[type eq "work"].value changes the address', async () => {
  const user = await create('p4@example.com');
  const response = await patch(user.id, { op: 'replace', path: 'emails[type eq "work"].value', value: 'p4-new@example.com' });
  assert.equal(response.status, 200);
  assert.equal(response.body.emails[0].value, 'p4-new@example.com');
  const noMatch = await patch(user.id, { op: 'replace', path: 'emails[type eq "home"].value', value: 'x@example.com' });
  assert.equal(noMatch.status, 400);
  assert.equal(noMatch.body.scimType, 'noTarget');
});

test('the active toggle: replace active false disables, true enables (also "False" strings some clients send)', async () => {
  const user = await create('p5@example.com');
  const off = await patch(user.id, { op: 'replace', path: 'active', value: false });
  assert.equal(off.status, 200);
  assert.equal(off.body.active, false);
  assert.equal((await server.directory.getAccount(user.id))?.status, 'disabled');
  const on = await patch(user.id, { op: 'replace', value: { active: 'True' } });
  assert.equal(on.body.active, true);
});

test('RFC 7644 §3.5.2.2: remove externalId clears it; remove without path is 400 noTarget', async () => {
  const user = await create('p6@example.com', { externalId: 'ext-6' });
  const response = await patch(user.id, { op: 'remove', path: 'externalId' });
  assert.equal(response.status, 200);
  assert.equal(response.body.externalId, undefined);
  const noPath = await patch(user.id, { op: 'remove' });
  assert.equal(noPath.status, 400);
  assert.equal(noPath.body.scimType, 'noTarget');
});

test('emailVerified cannot be patched to true, by path or by value (400 mutability)', async () => {
  const user = await create('p7@example.com');
  for (const op of [
    { op: 'replace', path: `${EXT}:emailVerified`, value: true },
    { op: 'replace', value: { [EXT]: { emailVerified: true } } },
    { op: 'add', path: `${EXT}:emailVerified`, value: 'true' },
  ]) {
    const response = await patch(user.id, op);
    assert.equal(response.status, 400, JSON.stringify(op));
    assert.equal(response.body.scimType, 'mutability');
  }
  assert.equal((await server.directory.getAccount(user.id))?.emailVerified, false);
});

test('the account type is read-only', async () => {
  const user = await create('p8@example.com');
  const response = await patch(user.id, { op: 'replace', path: `${EXT}:type`, value: 'personal' });
  assert.equal(response.status, 400);
  assert.equal(response.body.scimType, 'mutability');
});

test('a personal account: the org may set externalId; changing its profile is 400 mutability', async () => {
  const person = await server.directory.createAccount({ email: 'own@mail.test', firstName: 'Own' });
  await server.directory.verifyEmail(person.id, 'own@mail.test');
  const linked = await server.scim(org.token, 'POST', '/Users', userBody('own@mail.test'));
  assert.equal(linked.body.id, person.id);
  const renamed = await patch(person.id, { op: 'replace', path: 'name.givenName', value: 'Changed' }, { op: 'add', path: 'externalId', value: 'e-own' });
  assert.equal(renamed.status, 400);
  assert.equal(renamed.body.scimType, 'mutability');
  const external = await patch(person.id, { op: 'add', path: 'externalId', value: 'e-own' });
  assert.equal(external.status, 200);
  assert.equal(external.body.name.givenName, 'Own');
  assert.equal(external.body.externalId, 'e-own');
  // active: false ends the org's access (the membership), never the person's account: users-deactivate-member.test.ts.
  const disabled = await patch(person.id, { op: 'replace', path: 'active', value: false });
  assert.equal(disabled.status, 200);
  assert.equal(disabled.body.active, false);
  assert.equal((await server.directory.getAccount(person.id))?.status, 'active');
});

test('malformed PatchOp messages: wrong schema, unknown op, bad path', async () => {
  const user = await create('p9@example.com');
  const wrongSchema = await server.scim(org.token, 'PATCH', `/Users/${user.id}`, { schemas: ['x'], Operations: [{ op: 'add', path: 'userName', value: 'x' }] });
  assert.equal(wrongSchema.status, 400);
  assert.equal(wrongSchema.body.scimType, 'invalidSyntax');
  const badOp = await patch(user.id, { op: 'move', path: 'userName', value: 'x' });
  assert.equal(badOp.body.scimType, 'invalidSyntax');
  const badPath = await patch(user.id, { op: 'replace', path: 'emails[type eq', value: 'x' });
  assert.equal(badPath.body.scimType, 'invalidPath');
});
