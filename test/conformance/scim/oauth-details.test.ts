/**
 * OAuth details a provisioning client relies on, on the embedded IMS's OpenID provider (`/ims/token`, `/ims/auth`):
 * RFC 6749 §5.2 `unauthorized_client` for a grant the client may not use, and a user login is never granted the
 * machine scopes (`scim`, `ims_admin`) that only client-credentials tokens carry.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { RunningServer } from '../../../src/server/http-server.ts';
import type { StoreAdapter } from '../../../src/store/open-store.ts';
import { TestBrowser } from '../../e2e/support/browser.ts';
import { discoverRp, RP, signInThroughPages, signUp, startAuthorization, startTestServer, submitLinkForm } from '../../e2e/support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from '../../e2e/support/test-databases.ts';

let database: TestDatabase;
let store: StoreAdapter;
let server: RunningServer;

before(async () => {
  database = sqliteTestDatabase('oauth-details');
  store = await database.open();
  server = await startTestServer(store, {
    clients: [
      { clientId: RP.clientId, clientSecret: RP.clientSecret, redirectUris: [RP.redirectUri], firstParty: true, grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], allowedScopes: ['scim', 'ims_admin'] },
      { clientId: 'third-party', clientSecret: 'third-party-secret-0123456789abcdef', redirectUris: [RP.redirectUri] },
    ],
  });
});

after(async () => {
  await server.close();
  await store[Symbol.asyncDispose]();
  await database.drop();
});

test('RFC 6749 §5.2: client_credentials on a client not allowed that grant is unauthorized_client', async () => {
  const response = await fetch(`${server.url}/ims/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('third-party:third-party-secret-0123456789abcdef').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { error: string };
  assert.equal(body.error, 'unauthorized_client');
});

test('a user login asking for openid scim ims_admin is granted neither machine scope (first-party client)', async () => {
  const browser = new TestBrowser(server.url);
  const link = await signUp(server, browser, { email: 'sam@example.test', password: 'correct horse battery' });
  assert.equal((await submitLinkForm(browser, link, { password: 'correct horse battery' })).status, 200);
  const rp = await discoverRp(server);
  const start = await startAuthorization(rp, RP.redirectUri, 'openid email scim ims_admin');
  const callback = await signInThroughPages(browser, start, 'sam@example.test', 'correct horse battery');
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state });
  const granted = (tokens.scope ?? '').split(' ');
  assert.ok(granted.includes('openid'), tokens.scope);
  assert.ok(!granted.includes('scim'), `scim granted to a user login: ${tokens.scope}`);
  assert.ok(!granted.includes('ims_admin'), `ims_admin granted to a user login: ${tokens.scope}`);
  // The same client still gets scim with client credentials, where it is honoured.
  const machine = await oidc.clientCredentialsGrant(rp, { scope: 'scim' });
  assert.equal(machine.scope, 'scim');
});

test('a user login on a third-party client consents to user scopes only; machine scopes are not granted', async () => {
  const browser = new TestBrowser(server.url);
  const link = await signUp(server, browser, { email: 'tia@example.test', password: 'correct horse battery' });
  assert.equal((await submitLinkForm(browser, link, { password: 'correct horse battery' })).status, 200);
  const rp = await discoverRp(server, { clientId: 'third-party', clientSecret: 'third-party-secret-0123456789abcdef' });
  const start = await startAuthorization(rp, RP.redirectUri, 'openid scim ims_admin');
  const callback = await signInThroughPages(browser, start, 'tia@example.test', 'correct horse battery', RP.redirectUri, { consent: 'allow' });
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state });
  assert.equal(tokens.scope, 'openid');
});
