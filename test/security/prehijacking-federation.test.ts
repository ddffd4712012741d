import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { ImsOrgRecord } from '../../src/ims/directory/ims-directory.ts';
import type { RunningServer } from '../../src/server/http-server.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { linkIn, readForm, TestBrowser } from '../e2e/support/browser.ts';
import {
  addUpstreamPerson,
  callbackOf,
  CrossSiteBrowser,
  federatedTokens,
  federateOrg,
  openCallback,
  signInUpstream,
  startUpstreamIms,
  submitLoginEmail,
} from '../e2e/support/federation-harness.ts';
import { discoverRp, signInAndGetTokens, signUp, startAuthorization, startTestServer, submitLinkForm } from '../e2e/support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';

// The IMS under test (downstream) and a second embedded IMS as the organization's upstream IdP.
const databases: TestDatabase[] = [];
const stores: StoreAdapter[] = [];
let ims: RunningServer;
let upstream: RunningServer;
let rp: oidc.Configuration;
let upstreamIssuer: string;

before(async () => {
  for (const label of ['fed-ims', 'fed-upstream']) {
    const database = sqliteTestDatabase(label);
    databases.push(database);
    stores.push(await database.open());
  }
  ims = await startTestServer(stores[0]!);
  upstream = await startUpstreamIms(stores[1]!, ims);
  upstreamIssuer = `${upstream.url}/ims`;
  rp = await discoverRp(ims);
});

after(async () => {
  await ims.close();
  await upstream.close();
  for (const store of stores) await store[Symbol.asyncDispose]();
  for (const database of databases) await database.drop();
});

let orgCount = 0;
/** A fresh org per test: claims `<tag>.example` and `side-<tag>.example`, federates only the first. */
async function corp(tag: string, federate = true): Promise<{ org: ImsOrgRecord; domain: string }> {
  const domain = `${tag}.example`;
  const claimed = [domain, `side-${tag}.example`];
  if (!federate) {
    const org = await ims.ims.directory.createOrg({ name: `Org ${++orgCount}` });
    for (const d of claimed) await ims.ims.directory.claimDomain(org.id, d, 'test:setup');
    return { org, domain };
  }
  return { org: await federateOrg(ims, { name: `Org ${++orgCount}`, claimed, federated: [domain], issuer: upstreamIssuer }), domain };
}

test('first federated sign-in creates the org-owned federated account; later sign-ins find it by (issuer, subject)', async () => {
  const { org, domain } = await corp('first');
  const upstreamAccount = await addUpstreamPerson(upstream, { email: `dee@${domain}`, password: 'dee upstream password', emailVerified: true, firstName: 'Dee' });

  const tokens = await federatedTokens(new CrossSiteBrowser(), rp, ims, `Dee@${domain.toUpperCase()}`, 'dee upstream password');
  const claims = tokens.claims()!;
  assert.equal(claims.email_verified, true);
  assert.deepEqual(claims.ims_org, [{ id: org.id, profiles: [] }]);
  const account = (await ims.ims.directory.getAccount(claims.sub))!;
  assert.equal(account.type, 'federated');
  assert.equal(account.ownerOrgId, org.id);
  assert.equal(account.passwordHash, null);
  assert.equal(account.firstName, 'Dee');
  assert.equal((await ims.ims.directory.findAccountByFederatedIdentity(upstreamIssuer, upstreamAccount.id))?.id, account.id);

  // The upstream renames her: the key is (issuer, subject), so she keeps her account and its new address is verified.
  await upstream.ims.directory.updateAccount(upstreamAccount.id, { email: `dee.lee@${domain}`, emailVerified: true });
  const again = await federatedTokens(new CrossSiteBrowser(), rp, ims, `dee.lee@${domain}`, 'dee upstream password');
  assert.equal(again.claims()!.sub, account.id);
  assert.equal(again.claims()!.email, `dee.lee@${domain}`);
  assert.equal((await ims.ims.directory.findAccountsByEmail(`dee.lee@${domain}`)).length, 1);
});

test('pre-hijacking (classic-federated merge + unexpired session): the squatter is not merged, loses its account and sessions', async () => {
  // The attacker registers the victim's work address before the org turns on SSO, and keeps a session.
  const { org, domain } = await corp('merge', false);
  const victimEmail = `victim@${domain}`;
  const attacker = new TestBrowser(ims.url);
  const squatLink = await signUp(ims, attacker, { email: victimEmail, password: 'attacker password' });
  const attackerTokens = await signInAndGetTokens(rp, attacker, victimEmail, 'attacker password');
  const squatterId = attackerTokens.claims()!.sub;
  assert.equal(attackerTokens.claims()!.email_verified, false);

  await ims.ims.directory.setSsoFederation(org.id, { domains: [domain], issuer: upstreamIssuer, clientId: 'ims-downstream', clientSecret: 'ims-downstream-secret-0123456789abcdef' });
  await addUpstreamPerson(upstream, { email: victimEmail, password: 'victim upstream password', emailVerified: true });
  const victimTokens = await federatedTokens(new CrossSiteBrowser(), rp, ims, victimEmail, 'victim upstream password');
  const victim = victimTokens.claims()!;

  // The victim got the org's federated account, not the squatter's.
  assert.notEqual(victim.sub, squatterId);
  assert.equal(victim.email_verified, true);
  const federated = (await ims.ims.directory.getAccount(victim.sub))!;
  assert.equal(federated.type, 'federated');
  assert.equal(federated.userName, victimEmail, 'the squatter\'s userName went with it');
  assert.deepEqual((await ims.ims.directory.findAccountsByEmail(victimEmail)).map((a) => a.id), [victim.sub], 'the squatting account is gone');

  // The squatter's tokens and browser session are dead and never show the victim's data.
  await assert.rejects(oidc.refreshTokenGrant(rp, attackerTokens.refresh_token!));
  await assert.rejects(oidc.fetchUserInfo(rp, attackerTokens.access_token, squatterId));
  await assert.rejects(oidc.fetchUserInfo(rp, attackerTokens.access_token, victim.sub));
  const reopened = await attacker.follow((await startAuthorization(rp)).url.href);
  assert.match(await reopened.response.text(), /name="password"/, 'no session left: the login page shows again');
  assert.equal((await submitLinkForm(attacker, squatLink, { password: 'attacker password' })).status, 400, 'its verification link died with it');

  // Typing the address now goes upstream; the attacker's password is never asked for or checked.
  const retry = await submitLoginEmail(new CrossSiteBrowser(), rp, victimEmail, 'attacker password');
  assert.equal(retry.response.status, 303);
  assert.ok(retry.response.headers.get('location')!.startsWith(`${upstream.url}/ims/auth`));
});

test('pre-hijacking: a verified personal account on the same address is never merged into the federated one', async () => {
  const { org, domain } = await corp('personal', false);
  const email = `pat@${domain}`;
  const own = new TestBrowser(ims.url);
  await submitLinkForm(own, await signUp(ims, own, { email, password: 'pat personal password' }), { password: 'pat personal password' });
  const personal = (await ims.ims.directory.findVerifiedAccount(email))!;
  await ims.ims.directory.setSsoFederation(org.id, { domains: [domain], issuer: upstreamIssuer, clientId: 'ims-downstream', clientSecret: 'ims-downstream-secret-0123456789abcdef' });
  await addUpstreamPerson(upstream, { email, password: 'pat upstream password', emailVerified: true });

  const tokens = await federatedTokens(new CrossSiteBrowser(), rp, ims, email, 'pat upstream password');
  assert.notEqual(tokens.claims()!.sub, personal.id);
  const kept = (await ims.ims.directory.getAccount(personal.id))!;
  assert.equal(kept.status, 'active');
  assert.equal(kept.type, 'personal');
  assert.deepEqual(await ims.ims.directory.listMemberships(personal.id), []);
});

test('pre-hijacking (trojan identifier + unexpired email change): a pending address on an attacker account never captures the federated sign-in', async () => {
  const { domain } = await corp('trojan');
  const victimEmail = `vic@${domain}`;
  const attacker = new TestBrowser(ims.url);
  await submitLinkForm(attacker, await signUp(ims, attacker, { email: 'mallory@evil.example', password: 'mallory password' }), { password: 'mallory password' });
  const attackerTokens = await signInAndGetTokens(rp, attacker, 'mallory@evil.example', 'mallory password');
  const attackerId = attackerTokens.claims()!.sub;
  // The trojan: the victim's address added to the attacker's account, pending confirmation.
  const page = readForm(await (await attacker.request('/ims/account/email')).text());
  const asked = await attacker.request(page.action, { form: { ...page.fields, email: 'mallory@evil.example', password: 'mallory password', newEmail: victimEmail } });
  assert.equal(asked.status, 200);
  const changeLink = linkIn((await ims.ims.outbox.list({ to: victimEmail }))[0]!.text, '/ims/account/email/confirm');

  await addUpstreamPerson(upstream, { email: victimEmail, password: 'vic upstream password', emailVerified: true });
  const victim = (await federatedTokens(new CrossSiteBrowser(), rp, ims, victimEmail, 'vic upstream password')).claims()!;
  assert.notEqual(victim.sub, attackerId);
  assert.equal(victim.email, victimEmail);
  assert.equal((await ims.ims.directory.getAccount(victim.sub))?.type, 'federated');

  // The attacker's account kept its own address, and the trojan is void even with the right password.
  assert.equal((await ims.ims.directory.getAccount(attackerId))?.email, 'mallory@evil.example');
  assert.equal((await submitLinkForm(attacker, changeLink, { password: 'mallory password' })).status, 400);
  assert.equal((await ims.ims.directory.getAccount(attackerId))?.email, 'mallory@evil.example');
  const seen = await oidc.fetchUserInfo(rp, attackerTokens.access_token, attackerId);
  assert.equal(seen.email, 'mallory@evil.example');
  assert.deepEqual((await ims.ims.directory.findAccountsByEmail(victimEmail)).map((a) => a.id), [victim.sub]);
});

test('an upstream account whose email is not verified is refused with a clear page, and nothing is created', async () => {
  const { domain } = await corp('unverified');
  const email = `new@${domain}`;
  await addUpstreamPerson(upstream, { email, password: 'new upstream password', emailVerified: false });
  const browser = new CrossSiteBrowser();
  const { response } = await submitLoginEmail(browser, rp, email);
  const callback = await signInUpstream(browser, response.headers.get('location')!, email, 'new upstream password', callbackOf(ims));
  const end = await openCallback(browser, callback);
  assert.equal(end.response.status, 403);
  assert.match(await end.response.text(), /did not confirm your email address/);
  assert.deepEqual(await ims.ims.directory.findAccountsByEmail(email), []);
});

test('addresses outside the org\'s federated domains are never sent upstream', async () => {
  const { domain } = await corp('scope');
  const browser = new CrossSiteBrowser();
  for (const email of [`x@side-${domain}`, `x@sub.${domain}`, 'x@unclaimed.example', `x@${domain}.evil.example`, 'not-an-email']) {
    const { response } = await submitLoginEmail(browser, rp, email, 'some password 123');
    assert.equal(response.status === 401 || response.status === 400, true, `${email}: ${response.status}`);
    assert.equal(response.headers.get('location'), null, email);
  }
  const { response } = await submitLoginEmail(browser, rp, ` X@${domain.toUpperCase()} `);
  assert.equal(response.status, 303);
  const upstreamUrl = new URL(response.headers.get('location')!);
  assert.equal(upstreamUrl.origin, new URL(upstream.url).origin);
  assert.equal(upstreamUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(upstreamUrl.searchParams.get('state') && upstreamUrl.searchParams.get('nonce'));
  assert.equal(upstreamUrl.searchParams.get('redirect_uri'), callbackOf(ims));
});

test('the callback refuses a mismatched state, a replay, another browser and a mismatched nonce', async () => {
  const { domain } = await corp('checks');
  const email = `sam@${domain}`;
  await addUpstreamPerson(upstream, { email, password: 'sam upstream password', emailVerified: true });

  // State: the code comes back with someone else's state.
  const browser = new CrossSiteBrowser();
  const first = await submitLoginEmail(browser, rp, email);
  const callback = await signInUpstream(browser, first.response.headers.get('location')!, email, 'sam upstream password', callbackOf(ims));
  const forged = new URL(callback);
  forged.searchParams.set('state', 'attacker-state');
  const refused = await openCallback(browser, forged);
  assert.equal(refused.response.status, 400);
  assert.match(await refused.response.text(), /did not check out/);
  // The pending sign-in is single use: the genuine callback now finds nothing to finish.
  const replay = await openCallback(browser, callback);
  assert.equal(replay.response.status, 400);
  assert.match(await replay.response.text(), /expired or was started in another browser/);

  // Another browser (login CSRF): no pending sign-in there.
  const second = await submitLoginEmail(browser, rp, email);
  const fresh = await signInUpstream(browser, second.response.headers.get('location')!, email, 'sam upstream password', callbackOf(ims));
  assert.equal((await openCallback(new CrossSiteBrowser(), fresh)).response.status, 400);

  // Nonce: the upstream is asked for another nonce than the one the IMS keeps, so the ID token does not match.
  const third = await submitLoginEmail(browser, rp, email);
  const tampered = new URL(third.response.headers.get('location')!);
  tampered.searchParams.set('nonce', 'attacker-nonce');
  const noncedCallback = await signInUpstream(browser, tampered.href, email, 'sam upstream password', callbackOf(ims));
  const nonceRefused = await openCallback(browser, noncedCallback);
  assert.equal(nonceRefused.response.status, 400);
  assert.match(await nonceRefused.response.text(), /did not check out/);

  assert.deepEqual(await ims.ims.directory.findAccountsByEmail(email), [], 'no account from any refused callback');
});
