/** Error responses (RFC 7644 §3.12): the Error schema, status as a string, scimType where defined, no internals. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acmeScimServer, userBody, SCIM_ERROR, type ScimTestServer, type TestOrg } from './scim-test-server.ts';
import { createScimHandler } from '../../../src/ims/scim/scim-handler.ts';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { ImsDirectoryService } from '../../../src/ims/directory/ims-directory.ts';

let server: ScimTestServer;
let org: TestOrg;

acmeScimServer((s, o) => { server = s; org = o; });

function assertScimError(response: { status: number; headers: Headers; body: any }, status: number, scimType?: string): void {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /^application\/scim\+json/);
  assert.deepEqual(response.body.schemas, [SCIM_ERROR]);
  assert.equal(response.body.status, String(status));
  assert.equal(response.body.scimType, scimType);
  assert.equal(typeof response.body.detail, 'string');
  assert.doesNotMatch(response.body.detail, /\bat .*\.ts:\d+/);
}

test('RFC 7644 §3.12: 400 invalidSyntax for a body that is not JSON', async () => {
  assertScimError(await server.scim(org.token, 'POST', '/Users', '{"schemas": ['), 400, 'invalidSyntax');
  assertScimError(await server.scim(org.token, 'POST', '/Users', '[1,2]'), 400, 'invalidSyntax');
});

test('RFC 7644 §3.12: 404 for an unknown resource id and an unknown endpoint', async () => {
  assertScimError(await server.scim(org.token, 'GET', '/Users/2819c223-7f76-453a-919d-413861904646'), 404);
  assertScimError(await server.scim(org.token, 'GET', '/Groups/nope'), 404);
  assertScimError(await server.scim(org.token, 'GET', '/Widgets'), 404);
  assertScimError(await server.scim(org.token, 'GET', '/Users/%E0%A4%A'), 404);
});

test('RFC 7644 §3.12: 409 uniqueness; 412 on a stale If-Match (RFC 7644 defines no scimType for 412)', async () => {
  const created = await server.scim(org.token, 'POST', '/Users', userBody('x@example.com'));
  assertScimError(await server.scim(org.token, 'POST', '/Users', userBody('x@example.com')), 409, 'uniqueness');
  const stale = await server.scim(org.token, 'PUT', `/Users/${created.body.id}`, userBody('x@example.com'), { 'if-match': 'W/"0"' });
  assertScimError(stale, 412);
  assert.match(stale.body.detail, /preconditionFailed/);
});

test('RFC 7644 §3.12: 413 for a body over the limit', async () => {
  const huge = userBody('big@example.com', { name: { givenName: 'x'.repeat(1024 * 1024 + 10) } });
  assertScimError(await server.scim(org.token, 'POST', '/Users', huge), 413);
});

test('RFC 7644 §3.12: 401 without a token, with a Bearer challenge (RFC 6750 §3)', async () => {
  const response = await server.scim(undefined, 'GET', '/Users');
  assertScimError(response, 401);
  assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer /);
});

test('RFC 7644 §3.12: 403 for a token without the scim scope', async () => {
  const adminOnly = await server.createOrg('Admin only', { scopes: ['admin'] });
  const response = await server.scim(adminOnly.token, 'GET', '/Users');
  assertScimError(response, 403);
  assert.match(response.headers.get('www-authenticate') ?? '', /insufficient_scope/);
});

test('/Me and the root /.search are not implemented (501); unsupported methods are 405', async () => {
  assertScimError(await server.scim(org.token, 'GET', '/Me'), 501);
  assertScimError(await server.scim(org.token, 'POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] }), 501);
  const wrong = await server.scim(org.token, 'DELETE', '/Users');
  assertScimError(wrong, 405);
  assert.equal(wrong.headers.get('allow'), 'GET, POST');
});

test('a Content-Type other than application/scim+json or application/json is 400', async () => {
  assertScimError(await server.scim(org.token, 'POST', '/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalidSyntax');
  const plainJson = await server.scim(org.token, 'POST', '/Users', userBody('json@example.com'), { 'content-type': 'application/json' });
  assert.equal(plainJson.status, 201);
});

test('RFC 7644 §3.12: an internal failure is a bare 500 with no message, cause or stack; the server is told', async () => {
  const failing = new Proxy({}, { get: () => async () => { throw new Error('database exploded at /secret/path.ts:12'); } }) as ImsDirectoryService;
  const reported: unknown[] = [];
  const handler = createScimHandler({ directory: failing, authenticate: async () => ({ orgId: 'o', clientId: 'c', scopes: ['scim'] }), onError: (e) => reported.push(e) });
  const http = createServer((req, res) => void handler(req, res));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  try {
    const response = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/scim/v2/Users`);
    const body = await response.json() as Record<string, unknown>;
    assert.equal(response.status, 500);
    assert.deepEqual(body, { schemas: [SCIM_ERROR], status: '500', detail: 'internal server error' });
    assert.equal(reported.length, 1);
  } finally {
    http.close();
  }
});
