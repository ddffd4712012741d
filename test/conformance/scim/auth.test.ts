/**
 * Bearer-token auth: the client credentials grant (RFC 6749 §4.4) at /ims/admin/token with client_secret_basic and
 * client_secret_post, errors per §5.2, tokens bound to one org and checked against the client on every request.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { issueProvisioningToken, revokeOrgClient } from '../../../src/ims/admin-api/org-clients.ts';
import { createAccessTokens } from '../../../src/ims/admin-api/access-tokens.ts';
import { startScimTestServer, type ScimTestServer, type TestOrg } from './scim-test-server.ts';

let server: ScimTestServer;
let org: TestOrg;

before(async () => {
  server = await startScimTestServer();
  org = await server.createOrg('Acme');
});
after(async () => {
  assert.deepEqual(server.internalErrors, []);
  await server[Symbol.asyncDispose]();
});

const tokenRequest = (body: URLSearchParams | string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/ims/admin/token`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

test('RFC 6749 §4.4.3: client_secret_basic gets a Bearer token, no-store, with expires_in and scope', async () => {
  const response = await tokenRequest(new URLSearchParams({ grant_type: 'client_credentials' }), { authorization: basic(org.clientId, org.clientSecret) });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const body = await response.json() as Record<string, unknown>;
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.expires_in, 900);
  assert.equal(body.scope, 'scim admin');
  const users = await server.scim(body.access_token as string, 'GET', '/Users');
  assert.equal(users.status, 200);
});

test('RFC 6749 §2.3.1: client_secret_post works; a narrower scope may be asked for', async () => {
  const response = await tokenRequest(new URLSearchParams({ grant_type: 'client_credentials', client_id: org.clientId, client_secret: org.clientSecret, scope: 'scim' }));
  const body = await response.json() as Record<string, unknown>;
  assert.equal(body.scope, 'scim');
  assert.equal((await server.admin(body.access_token as string, 'GET', `/orgs/${org.orgId}`)).status, 403);
});

test('RFC 6749 §5.2: wrong secret, unknown client, both methods at once, bad grant, bad scope', async () => {
  const wrong = await tokenRequest(new URLSearchParams({ grant_type: 'client_credentials' }), { authorization: basic(org.clientId, 'nope') });
  assert.equal(wrong.status, 401);
  assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic/);
  const wrongBody = await tokenRequest(new URLSearchParams({ grant_type: 'client_credentials', client_id: org.clientId, client_secret: 'nope' }));
  assert.equal(wrongBody.status, 401);
  assert.equal((await wrongBody.json() as { error: string }).error, 'invalid_client');
  const unknown = await tokenRequest(new URLSearchParams({ grant_type: 'client_credentials', client_id: 'rhc_nobody', client_secret: 'x' }));
  assert.equal((await unknown.json() as { error: string }).error, 'invalid_client');
  const both = await tokenRequest(new URLSearchParams({ grant_type: 'client_credentials', client_secret: org.clientSecret }), { authorization: basic(org.clientId, org.clientSecret) });
  assert.equal((await both.json() as { error: string }).error, 'invalid_request');
  const grant = await tokenRequest(new URLSearchParams({ grant_type: 'password', client_id: org.clientId, client_secret: org.clientSecret }));
  assert.equal((await grant.json() as { error: string }).error, 'unsupported_grant_type');
  const scope = await tokenRequest(new URLSearchParams({ grant_type: 'client_credentials', client_id: org.clientId, client_secret: org.clientSecret, scope: 'scim superuser' }));
  assert.equal((await scope.json() as { error: string }).error, 'invalid_scope');
  const get = await fetch(`${server.url}/ims/admin/token`);
  assert.equal(get.status, 405);
});

test('RFC 6750 §3.1: a missing, malformed, forged or expired token is 401 invalid_token', async () => {
  assert.equal((await server.scim(undefined, 'GET', '/Users')).status, 401);
  const malformed = await server.scim('not-a-jwt', 'GET', '/Users');
  assert.equal(malformed.status, 401);
  assert.match(malformed.headers.get('www-authenticate') ?? '', /invalid_token/);
  const [header, payload] = org.token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, org_id: 'other' })).toString('base64url')}.${org.token.split('.')[2]}`;
  assert.equal((await server.scim(forged, 'GET', '/Users')).status, 401);
  const past = createAccessTokens(server.store, { now: () => new Date(Date.now() - 3600_000) });
  const client = { clientId: org.clientId, orgId: org.orgId, name: 'x', scopes: ['scim' as const], createdAt: '', revokedAt: null, tokenExpiresAt: null };
  const expired = (await past.issue(client, ['scim'])).accessToken;
  assert.equal((await server.scim(expired, 'GET', '/Users')).status, 401);
});

test('revoking a client stops its tokens at once', async () => {
  const other = await server.createOrg('Revoked');
  assert.equal((await server.scim(other.token, 'GET', '/Users')).status, 200);
  await revokeOrgClient(server.store, other.clientId);
  assert.equal((await server.scim(other.token, 'GET', '/Users')).status, 401);
  const again = await tokenRequest(new URLSearchParams({ grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.clientSecret }));
  assert.equal(again.status, 401);
});

test('a long-lived SCIM token works until it expires, and a made-up one never does', async () => {
  const t = await server.createOrg('Long-lived');
  const days = 30;
  const fresh = await issueProvisioningToken(server.store, t.clientId, { days });
  assert.equal((await server.scim(fresh.token, 'GET', '/Users')).status, 200);
  // Issued 31 days ago for 30 days: expired; the digest is found but the expiry refuses it.
  const stale = await issueProvisioningToken(server.store, t.clientId, { days, now: () => new Date(Date.now() - 31 * 86_400_000) });
  assert.equal((await server.scim(stale.token, 'GET', '/Users')).status, 401);
  assert.equal((await server.scim(fresh.token, 'GET', '/Users')).status, 401, 'replaced by the later issue');
  assert.equal((await server.scim(`rht_${'A'.repeat(43)}`, 'GET', '/Users')).status, 401);
  await assert.rejects(issueProvisioningToken(server.store, t.clientId, { days: 0 }), /1 to 730 days/);
});
