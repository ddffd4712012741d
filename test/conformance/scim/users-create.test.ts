/**
 * Creating Users (RFC 7644 §3.3) and the IMS linking rules (docs/scim.md): claimed domain -> enterprise account
 * owned by the org; other domains -> personal account; an address an account already verified -> link, never a
 * second account; an unverified address is never linked to.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startScimTestServer, userBody, SCIM_ERROR, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

const EXT = 'urn:rehome:params:scim:schemas:extension:ims:2.0:User';
let server: ScimTestServer;
let org: TestOrg;

before(async () => {
  server = await startScimTestServer();
  org = await server.createOrg('Acme', { domains: ['acme.test'] });
});
after(async () => {
  assert.deepEqual(server.internalErrors, []);
  await server[Symbol.asyncDispose]();
});

test('RFC 7644 §3.3: POST /Users returns 201, Location, ETag and the stored representation', async () => {
  // RFC 7644 §3.3 example body, adapted: the IMS keeps one email per account.
  const response = await server.scim(org.token, 'POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'bjensen@acme.test',
    externalId: 'bjensen',
    name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
    emails: [{ value: 'bjensen@acme.test', type: 'work', primary: true }],
  });
  assert.equal(response.status, 201);
  assert.match(response.headers.get('content-type') ?? '', /^application\/scim\+json/);
  const user = response.body;
  assert.equal(response.headers.get('location'), `${server.url}/scim/v2/Users/${user.id}`);
  assert.equal(response.headers.get('etag'), user.meta.version);
  assert.match(user.meta.version, /^W\/"\d+"$/);
  assert.equal(user.meta.resourceType, 'User');
  assert.equal(user.userName, 'bjensen@acme.test');
  assert.equal(user.externalId, 'bjensen');
  assert.deepEqual(user.name, { givenName: 'Barbara', familyName: 'Jensen', formatted: 'Barbara Jensen' });
  assert.equal(user.active, true);
  // Claimed domain: an enterprise account the org owns, unverified until its owner proves the address.
  assert.deepEqual(user[EXT], { emailVerified: false, type: 'enterprise' });
  const again = await server.scim(org.token, 'GET', `/Users/${user.id}`);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body, user);
});

test('a user outside the claimed domains becomes a personal account that joins the org, unverified', async () => {
  const response = await server.scim(org.token, 'POST', '/Users', userBody('pat@gmail.test', { externalId: 'p-1' }));
  assert.equal(response.status, 201);
  assert.deepEqual(response.body[EXT], { emailVerified: false, type: 'personal' });
  const account = await server.directory.getAccount(response.body.id);
  assert.equal(account?.ownerOrgId, null);
});

test('RFC 7644 §3.3: a duplicate userName or externalId is 409 uniqueness', async () => {
  await server.scim(org.token, 'POST', '/Users', userBody('dup@acme.test', { externalId: 'dup' }));
  const sameName = await server.scim(org.token, 'POST', '/Users', userBody('dup@acme.test', { externalId: 'other' }));
  assert.equal(sameName.status, 409);
  assert.equal(sameName.body.scimType, 'uniqueness');
  assert.deepEqual(sameName.body.schemas, [SCIM_ERROR]);
  const sameExternalId = await server.scim(org.token, 'POST', '/Users', userBody('dup2@acme.test', { externalId: 'dup' }));
  assert.equal(sameExternalId.status, 409);
  assert.equal(sameExternalId.body.scimType, 'uniqueness');
});

test('an address an existing account VERIFIED is linked: the org gains a member, not a second account', async () => {
  const owner = await server.directory.createAccount({ email: 'vera@mail.test', userName: 'vera', firstName: 'Vera' });
  await server.directory.verifyEmail(owner.id, 'vera@mail.test');
  const response = await server.scim(org.token, 'POST', '/Users', userBody('vera@mail.test', { externalId: 'v-1', name: { givenName: 'Someone Else' } }));
  assert.equal(response.status, 201);
  assert.equal(response.body.id, owner.id);
  assert.equal(response.body.externalId, 'v-1');
  // The person's own profile stands: an org does not edit a personal account.
  assert.equal(response.body.name.givenName, 'Vera');
  assert.equal(response.body.userName, 'vera');
  assert.equal(response.body[EXT].emailVerified, true);
  assert.equal((await server.directory.findAccountsByEmail('vera@mail.test')).length, 1);
  const twice = await server.scim(org.token, 'POST', '/Users', userBody('vera@mail.test', { externalId: 'v-2' }));
  assert.equal(twice.status, 409);
  assert.equal(twice.body.scimType, 'uniqueness');
});

test('an address only an UNVERIFIED sign-up claimed is never linked: a separate account joins the org', async () => {
  const squatter = await server.directory.createAccount({ email: 'victim@mail.test', userName: 'squatter' });
  const response = await server.scim(org.token, 'POST', '/Users', userBody('victim@mail.test', { externalId: 'vic' }));
  assert.equal(response.status, 201);
  assert.notEqual(response.body.id, squatter.id);
  assert.equal(response.body[EXT].emailVerified, false);
  assert.equal(await server.directory.getOrgAccount(org.orgId, squatter.id), undefined);
});

test('a pending sign-up holding the requested userName reserves nothing: it is cancelled (and mailed) and the org\'s account created', async () => {
  const pending = await server.directory.createAccount({ email: 'held@mail.test' });
  const response = await server.scim(org.token, 'POST', '/Users', userBody('held@mail.test'));
  assert.equal(response.status, 201, JSON.stringify(response.body));
  assert.notEqual(response.body.id, pending.id);
  assert.equal(response.body[EXT].emailVerified, false);
  assert.equal(await server.directory.getAccount(pending.id), undefined, 'the squat is gone');
});

test('an unverified account another organization provisioned keeps its userName: 409 uniqueness, not linked', async () => {
  const other = await server.directory.createOrg({ name: 'Other' });
  const held = await server.directory.createAccount({ email: 'kept@mail.test', orgId: other.id, type: 'personal' });
  const response = await server.scim(org.token, 'POST', '/Users', userBody('kept@mail.test'));
  assert.equal(response.status, 409);
  assert.equal(response.body.scimType, 'uniqueness');
  assert.match(response.body.detail, /pending verification/);
  assert.equal(await server.directory.getOrgAccount(org.orgId, held.id), undefined);
});

test('emailVerified is read-only: a client setting it true is refused (400 mutability), nothing is created', async () => {
  const response = await server.scim(org.token, 'POST', '/Users', userBody('sneaky@acme.test', { [EXT]: { emailVerified: true } }));
  assert.equal(response.status, 400);
  assert.equal(response.body.scimType, 'mutability');
  assert.equal(await server.directory.findAccountByUserName('sneaky@acme.test'), undefined);
  const falseIsFine = await server.scim(org.token, 'POST', '/Users', userBody('honest@acme.test', { [EXT]: { emailVerified: false } }));
  assert.equal(falseIsFine.status, 201);
});

test('type follows the domain rules: asking for enterprise outside a claimed domain is 400', async () => {
  const response = await server.scim(org.token, 'POST', '/Users', userBody('x@elsewhere.test', { [EXT]: { type: 'enterprise' } }));
  assert.equal(response.status, 400);
  assert.equal(response.body.scimType, 'invalidValue');
});

test('RFC 7643 §4.1: userName is required; schemas must name the User schema', async () => {
  const noUserName = await server.scim(org.token, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], emails: [{ value: 'a@acme.test' }] });
  assert.equal(noUserName.status, 400);
  assert.equal(noUserName.body.scimType, 'invalidValue');
  const noSchemas = await server.scim(org.token, 'POST', '/Users', { userName: 'b@acme.test' });
  assert.equal(noSchemas.status, 400);
  assert.equal(noSchemas.body.scimType, 'invalidSyntax');
});

test('active: false at creation makes a disabled enterprise account', async () => {
  const response = await server.scim(org.token, 'POST', '/Users', userBody('gone@acme.test', { active: false }));
  assert.equal(response.status, 201);
  assert.equal(response.body.active, false);
});
