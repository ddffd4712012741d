import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { ImsOrgRecord } from '../../src/ims/directory/ims-directory.ts';
import type { RunningServer } from '../../src/server/http-server.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { callbackOf, CrossSiteBrowser, federateOrg, openCallback, submitLoginEmail } from './support/federation-harness.ts';
import { discoverRp, RP, startAuthorization, startTestServer } from './support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from './support/test-databases.ts';
import { startClaimsIdp, type ClaimsIdp } from './support/upstream-idp.ts';

// The upstream is a bare oidc-provider whose claims each test sets exactly; the subject is the typed address.
let database: TestDatabase;
let store: StoreAdapter;
let ims: RunningServer;
let idp: ClaimsIdp;
let rp: oidc.Configuration;
let org: ImsOrgRecord;

before(async () => {
  database = sqliteTestDatabase('fed-claims');
  store = await database.open();
  ims = await startTestServer(store);
  idp = await startClaimsIdp(callbackOf(ims));
  rp = await discoverRp(ims);
  org = await federateOrg(ims, { name: 'Claims Corp', claimed: ['claims.example', 'side.example'], federated: ['claims.example'], issuer: idp.issuer });
});

after(async () => {
  await idp.close();
  await ims.close();
  await store[Symbol.asyncDispose]();
  await database.drop();
});

/** Types `subject` on the login page, passes the upstream, opens the callback. */
async function signInAs(subject: string, claims?: Record<string, unknown>) {
  if (claims) idp.people.set(subject, claims);
  const browser = new CrossSiteBrowser();
  const { start, response } = await submitLoginEmail(browser, rp, subject);
  assert.equal(response.status, 303, 'sent upstream');
  const back = await browser.follow(response.headers.get('location')!, callbackOf(ims));
  const end = await openCallback(browser, back.url);
  const body = end.url.startsWith(RP.redirectUri) ? '' : await end.response.text();
  return { start, end, body };
}

async function tokensOf(result: Awaited<ReturnType<typeof signInAs>>) {
  assert.ok(result.end.url.startsWith(RP.redirectUri), result.body);
  return oidc.authorizationCodeGrant(rp, new URL(result.end.url), { pkceCodeVerifier: result.start.verifier, expectedState: result.start.state });
}

test('email and email_verified read from userinfo when the ID token has none', async () => {
  const tokens = await tokensOf(await signInAs('una@claims.example', { email: 'una@claims.example', email_verified: true, given_name: 'Una' }));
  const account = (await ims.ims.directory.getAccount(tokens.claims()!.sub))!;
  assert.equal(account.type, 'federated');
  assert.equal(account.emailVerified, true);
  assert.equal(account.firstName, 'Una');
  assert.equal((await ims.ims.directory.findAccountByFederatedIdentity(idp.issuer, 'una@claims.example'))?.id, account.id);
});

test('a missing or non-boolean email_verified counts as unverified and is refused', async () => {
  for (const [subject, claims] of [
    ['nov@claims.example', { email: 'nov@claims.example' }],
    ['str@claims.example', { email: 'str@claims.example', email_verified: 'true' }],
    ['fal@claims.example', { email: 'fal@claims.example', email_verified: false }],
    ['none@claims.example', { email_verified: true }],
  ] as const) {
    const result = await signInAs(subject, claims);
    assert.equal(result.end.response.status, 403, subject);
    assert.match(result.body, /did not confirm your email address/);
    assert.deepEqual(await ims.ims.directory.findAccountsByEmail(subject), [], subject);
  }
});

test('an upstream may only speak for the org\'s federated domains', async () => {
  for (const [i, email] of ['lee@side.example', 'lee@elsewhere.example', 'lee@sub.claims.example'].entries()) {
    const result = await signInAs(`lee${i}@claims.example`, { email, email_verified: true });
    assert.equal(result.end.response.status, 403, email);
    assert.match(result.body, /not one this organization signs in for/);
    assert.deepEqual(await ims.ims.directory.findAccountsByEmail(email), [], email);
  }
});

test('the org\'s provisioned federated account is taken on the first sign-in (the migration path), then keyed by subject', async () => {
  const provisioned = await ims.ims.directory.createAccount({ email: 'Pia@claims.example', type: 'federated', orgId: org.id, externalId: 'product-user-7' });
  assert.equal(provisioned.emailVerified, false);
  const tokens = await tokensOf(await signInAs('pia@claims.example', { email: 'pia@claims.example', email_verified: true }));
  assert.equal(tokens.claims()!.sub, provisioned.id);
  assert.equal(tokens.claims()!.email_verified, true);
  assert.equal((await ims.ims.directory.getOrgAccount(org.id, provisioned.id))?.externalId, 'product-user-7');
  const again = await tokensOf(await signInAs('pia@claims.example'));
  assert.equal(again.claims()!.sub, provisioned.id);
  assert.equal((await ims.ims.directory.findAccountByFederatedIdentity(idp.issuer, 'pia@claims.example'))?.id, provisioned.id);
});

test('an address reassigned upstream to another person does not hand over the first person\'s account', async () => {
  const first = await tokensOf(await signInAs('old-sub@claims.example', { email: 'desk@claims.example', email_verified: true }));
  idp.people.delete('old-sub@claims.example');
  const second = await signInAs('new-sub@claims.example', { email: 'desk@claims.example', email_verified: true });
  assert.equal(second.end.response.status, 409);
  assert.match(second.body, /belongs to someone else/);
  assert.deepEqual((await ims.ims.directory.findAccountsByEmail('desk@claims.example')).map((a) => a.id), [first.claims()!.sub]);
  assert.equal(await ims.ims.directory.findAccountByFederatedIdentity(idp.issuer, 'new-sub@claims.example'), undefined);
});

test('a disabled federated account stays out; an upstream refusal is shown, not followed', async () => {
  const tokens = await tokensOf(await signInAs('dis@claims.example', { email: 'dis@claims.example', email_verified: true }));
  await ims.ims.directory.disableAccount(tokens.claims()!.sub);
  const disabled = await signInAs('dis@claims.example');
  assert.equal(disabled.end.response.status, 403);
  assert.match(disabled.body, /disabled/);

  const denied = await signInAs('nobody@claims.example');
  assert.equal(denied.end.response.status, 403);
  assert.match(denied.body, /did not sign you in/);
  assert.match(denied.body, /href="\/ims\/interaction\/[\w-]+"/, 'offers to try again');
});

test('an unreachable upstream keeps the person on the login page with a clear message', async () => {
  const down = await ims.ims.directory.createOrg({ name: 'Down Corp' });
  await ims.ims.directory.claimDomain(down.id, 'down.example', 'test:setup');
  await ims.ims.directory.setSsoFederation(down.id, { domains: ['down.example'], issuer: 'http://127.0.0.1:1/nothing', clientId: 'x', clientSecret: 'y' });
  const { response } = await submitLoginEmail(new CrossSiteBrowser(), rp, 'kim@down.example');
  assert.equal(response.status, 502);
  assert.match(await response.text(), /cannot be reached right now[\s\S]*name="password"/);
});

test('sign-in pages let their redirect chain leave the IMS (Chromium applies form-action to it); other forms keep form-action \'self\'', async () => {
  const browser = new CrossSiteBrowser();
  const login = await browser.follow((await startAuthorization(rp)).url);
  const loginCsp = login.response.headers.get('content-security-policy')!;
  assert.doesNotMatch(loginCsp, /form-action/);
  assert.match(loginCsp, /default-src 'none'/);
  const signup = await browser.request(`${ims.url}/ims/account/signup`);
  assert.match(signup.headers.get('content-security-policy')!, /form-action 'self'/);
});
