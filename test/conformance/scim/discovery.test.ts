/** Discovery (RFC 7644 §4, RFC 7643 §5-§7): ServiceProviderConfig, ResourceTypes and Schemas, served without a token. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startScimTestServer, type ScimTestServer } from './scim-test-server.ts';

let server: ScimTestServer;
before(async () => {
  server = await startScimTestServer();
});
after(async () => {
  await server[Symbol.asyncDispose]();
});

test('RFC 7643 §5: /ServiceProviderConfig tells what this service supports', async () => {
  const response = await server.scim(undefined, 'GET', '/ServiceProviderConfig');
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/scim\+json/);
  const config = response.body;
  assert.deepEqual(config.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
  assert.equal(config.patch.supported, true);
  assert.equal(config.filter.supported, true);
  assert.equal(config.filter.maxResults, 200);
  assert.equal(config.etag.supported, true);
  assert.deepEqual(config.bulk, { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
  assert.equal(config.sort.supported, true);
  assert.equal(config.changePassword.supported, false);
  assert.equal(config.authenticationSchemes[0].type, 'oauthbearertoken');
});

test('RFC 7643 §6: /ResourceTypes lists User and Group with their schemas and extensions', async () => {
  const response = await server.scim(undefined, 'GET', '/ResourceTypes');
  assert.equal(response.status, 200);
  assert.equal(response.body.totalResults, 2);
  const byId = Object.fromEntries(response.body.Resources.map((r: { id: string }) => [r.id, r]));
  assert.equal(byId.User.endpoint, '/Users');
  assert.equal(byId.User.schema, 'urn:ietf:params:scim:schemas:core:2.0:User');
  assert.deepEqual(byId.User.schemaExtensions, [{ schema: 'urn:rehome:params:scim:schemas:extension:ims:2.0:User', required: false }]);
  assert.equal(byId.Group.endpoint, '/Groups');
  const one = await server.scim(undefined, 'GET', '/ResourceTypes/Group');
  assert.equal(one.body.id, 'Group');
  assert.equal((await server.scim(undefined, 'GET', '/ResourceTypes/Widget')).status, 404);
});

test('RFC 7643 §7: /Schemas defines exactly the stored attributes; emailVerified and type are readOnly', async () => {
  const response = await server.scim(undefined, 'GET', '/Schemas');
  assert.equal(response.status, 200);
  const ids = response.body.Resources.map((s: { id: string }) => s.id).sort();
  assert.deepEqual(ids, [
    'urn:ietf:params:scim:schemas:core:2.0:Group',
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:rehome:params:scim:schemas:extension:ims:2.0:Group',
    'urn:rehome:params:scim:schemas:extension:ims:2.0:User',
  ]);
  const ext = await server.scim(undefined, 'GET', `/Schemas/${encodeURIComponent('urn:rehome:params:scim:schemas:extension:ims:2.0:User')}`);
  assert.equal(ext.status, 200);
  const attrs = Object.fromEntries(ext.body.attributes.map((a: { name: string }) => [a.name, a]));
  assert.equal(attrs.emailVerified.mutability, 'readOnly');
  assert.equal(attrs.type.mutability, 'readOnly');
  const user = response.body.Resources.find((s: { id: string }) => s.id.endsWith(':User') && s.id.includes(':core:'));
  const userName = user.attributes.find((a: { name: string }) => a.name === 'userName');
  assert.equal(userName.required, true);
  assert.equal(userName.uniqueness, 'server');
});

test('discovery endpoints accept GET only', async () => {
  const response = await server.scim(undefined, 'POST', '/Schemas', {});
  assert.equal(response.status, 405);
});
