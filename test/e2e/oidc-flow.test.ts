import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { RunningServer } from '../../src/server/http-server.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { readForm, TestBrowser } from './support/browser.ts';
import { discoverRp, RP, signInAndGetTokens, signInThroughPages, signUp, startAuthorization, startTestServer, submitLinkForm } from './support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from './support/test-databases.ts';

let database: TestDatabase;
let store: StoreAdapter;
let server: RunningServer;
let rp: oidc.Configuration;

before(async () => {
  database = sqliteTestDatabase('oidc-flow');
  store = await database.open();
  server = await startTestServer(store);
  rp = await discoverRp(server);
});

after(async () => {
  await server.close();
  await store[Symbol.asyncDispose]();
  await database.drop();
});

test('discovery names the issuer, code + S256 PKCE, and the IMS claims', async () => {
  const meta = rp.serverMetadata();
  assert.equal(meta.issuer, `${server.url}/ims`);
  assert.deepEqual(meta.response_types_supported, ['code']);
  assert.ok(meta.code_challenge_methods_supported?.includes('S256'));
  assert.ok(meta.claims_supported?.includes('ims_org'));
  assert.ok(meta.end_session_endpoint);
});

test('sign up, verify from the outbox, sign in with code + PKCE, userinfo, refresh, logout', async () => {
  const browser = new TestBrowser(server.url);
  const verifyLink = await signUp(server, browser, { email: 'Ann@Example.test', password: 'correct horse battery', firstName: 'Ann', lastName: 'Lee' });
  const verified = await submitLinkForm(browser, verifyLink, { password: 'correct horse battery' });
  assert.equal(verified.status, 200, await verified.clone().text());
  assert.match(await verified.text(), /is confirmed/);

  const org = await server.ims.directory.createOrg({ name: 'Acme' });
  const account = (await server.ims.directory.findVerifiedAccount('ann@example.test'))!;
  await server.ims.directory.addOrgMember(org.id, account.id);
  const profile = await server.ims.directory.createProfile(org.id, { name: 'Marketing', subscriptionId: '123-ABC-456', members: [account.id] });

  const tokens = await signInAndGetTokens(rp, browser, 'ann@example.test', 'correct horse battery');
  const claims = tokens.claims()!;
  assert.equal(claims.sub, account.id);
  assert.equal(claims.email, 'Ann@example.test', 'the address as typed, in its delivery form (the domain in lower-case A-labels)');
  assert.equal(claims.email_verified, true);
  assert.equal(claims.name, 'Ann Lee');
  assert.deepEqual(claims.ims_org, [{ id: org.id, profiles: [profile.id] }]);
  assert.ok(tokens.refresh_token, 'a refresh token is issued');

  const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, account.id);
  assert.equal(userinfo.email_verified, true);

  const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
  assert.ok(refreshed.access_token);
  assert.equal(refreshed.claims()?.sub, account.id);

  // RP-initiated logout: confirm on the IMS page, land on the registered post-logout URI.
  const endUrl = oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: RP.postLogout });
  const confirm = await browser.follow(endUrl.href);
  const form = readForm(await confirm.response.text());
  const done = await browser.request(form.action, { form: { ...form.fields, logout: 'yes' } });
  assert.equal(done.status, 303);
  assert.ok(done.headers.get('location')!.startsWith(RP.postLogout));
  await assert.rejects(oidc.refreshTokenGrant(rp, refreshed.refresh_token ?? tokens.refresh_token!), 'session-bound refresh token ends with the session');

  // A new authorization shows the login page again.
  const again = await browser.follow((await startAuthorization(rp)).url.href);
  assert.match(await again.response.text(), /name="password"/);
});

test('an unverified account signs in and its tokens carry email_verified: false', async () => {
  const browser = new TestBrowser(server.url);
  await signUp(server, browser, { email: 'bob@example.test', password: 'bob password 123' });
  const tokens = await signInAndGetTokens(rp, browser, 'bob@example.test', 'bob password 123');
  assert.equal(tokens.claims()?.email_verified, false);
  const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
  assert.equal(userinfo.email_verified, false);
});

test('a redirect_uri that is not registered exactly is refused without redirecting', async () => {
  const browser = new TestBrowser(server.url);
  for (const redirectUri of ['http://127.0.0.1:9/callback/../evil', 'http://127.0.0.1:9/callback?x=1', 'https://evil.test/callback']) {
    const start = await startAuthorization(rp, redirectUri);
    const response = await browser.request(start.url.href);
    assert.equal(response.status, 400, redirectUri);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /redirect_uri/);
  }
});

test('a public client needs PKCE and gets a working code flow', async () => {
  const spa = await discoverRp(server, { clientId: 'public-spa' });
  const browser = new TestBrowser(server.url);
  await signUp(server, browser, { email: 'cy@example.test', password: 'cy password 1234' });
  const start = await startAuthorization(spa, 'http://127.0.0.1:9/spa-callback', 'openid email');
  const noPkce = new URL(start.url);
  noPkce.searchParams.delete('code_challenge');
  noPkce.searchParams.delete('code_challenge_method');
  const refused = await browser.follow(noPkce.href, 'http://127.0.0.1:9/spa-callback');
  assert.match(refused.url, /error=invalid_request/);
  // Not first-party: the consent page comes first.
  const callback = await signInThroughPages(browser, start, 'cy@example.test', 'cy password 1234', 'http://127.0.0.1:9/spa-callback', { consent: 'allow' });
  const tokens = await oidc.authorizationCodeGrant(spa, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state });
  assert.equal(tokens.claims()?.email, 'cy@example.test');
});
