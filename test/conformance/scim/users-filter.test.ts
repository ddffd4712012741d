/** Filtering Users (RFC 7644 §3.4.2.2) over real data: eq, co, sw, pr, and, or, not, parentheses, value paths. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startScimTestServer, userBody, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

let server: ScimTestServer;
let org: TestOrg;

before(async () => {
  server = await startScimTestServer();
  org = await server.createOrg('Acme', { domains: ['example.com'] });
  const people = [
    ['bjensen@example.com', 'bjensen', 'Barbara', 'Jensen'],
    ['jsmith@example.com', 'jsmith', 'John', "O'Malley"],
    ['jdoe@example.org', null, 'Jane', 'Doe'],
    ['Jill@Example.org', 'jill', 'Jill', 'Hill'],
  ] as const;
  for (const [email, externalId, givenName, familyName] of people) {
    const body = userBody(email, { name: { givenName, familyName }, ...(externalId === null ? {} : { externalId }) });
    assert.equal((await server.scim(org.token, 'POST', '/Users', body)).status, 201);
  }
});
after(async () => {
  assert.deepEqual(server.internalErrors, []);
  await server[Symbol.asyncDispose]();
});

async function userNames(filter: string): Promise<string[]> {
  const response = await server.scim(org.token, 'GET', `/Users?filter=${encodeURIComponent(filter)}`);
  assert.equal(response.status, 200, `${filter}: ${response.text}`);
  assert.deepEqual(response.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
  return response.body.Resources.map((u: { userName: string }) => u.userName).sort();
}

test('RFC 7644 §3.4.2.2: eq on userName is case-insensitive (caseExact false, RFC 7643 §4.1.1)', async () => {
  assert.deepEqual(await userNames('userName eq "BJENSEN@example.com"'), ['bjensen@example.com']);
  assert.deepEqual(await userNames('userName Eq "nobody@example.com"'), []);
});

test('RFC 7644 §3.4.2.2: co, sw and the URN-qualified attribute name', async () => {
  assert.deepEqual(await userNames('name.familyName co "O\'Malley"'), ['jsmith@example.com']);
  assert.deepEqual(await userNames('userName sw "J"'), ['Jill@Example.org', 'jdoe@example.org', 'jsmith@example.com']);
  assert.deepEqual(await userNames('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"'), ['Jill@Example.org', 'jdoe@example.org', 'jsmith@example.com']);
});

test('RFC 7644 §3.4.2.2: pr, and, or, not with parentheses', async () => {
  assert.deepEqual(await userNames('externalId pr'), ['Jill@Example.org', 'bjensen@example.com', 'jsmith@example.com']);
  assert.deepEqual(await userNames('externalId pr and userName sw "j"'), ['Jill@Example.org', 'jsmith@example.com']);
  assert.deepEqual(await userNames('externalId eq "bjensen" or externalId eq "jill"'), ['Jill@Example.org', 'bjensen@example.com']);
  assert.deepEqual(await userNames('userName sw "j" and not (emails co "example.com" or emails.value co "example.org")'), []);
  assert.deepEqual(await userNames('userName sw "j" and not (emails co "example.org")'), ['jsmith@example.com']);
});

test('RFC 7644 §3.4.2.2: emails.value, emails and emails[value eq ...] (value filter) select by email', async () => {
  assert.deepEqual(await userNames('emails.value eq "jdoe@example.org"'), ['jdoe@example.org']);
  assert.deepEqual(await userNames('emails co "example.org"'), ['Jill@Example.org', 'jdoe@example.org']);
  assert.deepEqual(await userNames('emails[value eq "JILL@example.org"]'), ['Jill@Example.org']);
  assert.deepEqual(await userNames('emails[type eq "work" and value co "@example.com"]'), ['bjensen@example.com', 'jsmith@example.com']);
});

test('externalId eq finds the one user provisioned with it (the idempotency look-up of DESIGN.md)', async () => {
  assert.deepEqual(await userNames('externalId eq "jsmith"'), ['jsmith@example.com']);
});

test('POST /Users/.search takes the same filter in a SearchRequest body (RFC 7644 §3.4.3)', async () => {
  const response = await server.scim(org.token, 'POST', '/Users/.search', {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
    filter: 'userName sw "b"',
    attributes: ['userName'],
    startIndex: 1,
    count: 10,
  });
  assert.equal(response.status, 200);
  assert.equal(response.body.totalResults, 1);
  assert.deepEqual(Object.keys(response.body.Resources[0]).sort(), ['id', 'schemas', 'userName']);
});

test('RFC 7644 §3.4.2.5: attributes and excludedAttributes shape each resource', async () => {
  const only = await server.scim(org.token, 'GET', '/Users?filter=userName%20eq%20%22bjensen%40example.com%22&attributes=userName,name.givenName');
  assert.deepEqual(only.body.Resources[0].name, { givenName: 'Barbara' });
  assert.equal(only.body.Resources[0].emails, undefined);
  const without = await server.scim(org.token, 'GET', '/Users?filter=userName%20eq%20%22bjensen%40example.com%22&excludedAttributes=emails,meta');
  assert.equal(without.body.Resources[0].emails, undefined);
  assert.equal(without.body.Resources[0].meta, undefined);
  assert.equal(without.body.Resources[0].userName, 'bjensen@example.com');
});

test('RFC 7644 §3.4.2.2: an invalid or unsupported filter is 400 invalidFilter', async () => {
  for (const filter of ['userName eq', 'userName eq "a" and', 'title pr', 'meta.lastModified gt "yesterday"', 'userName gt "a"']) {
    const response = await server.scim(org.token, 'GET', `/Users?filter=${encodeURIComponent(filter)}`);
    assert.equal(response.status, 400, filter);
    assert.equal(response.body.scimType, 'invalidFilter', filter);
  }
});
