import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { RunningServer } from '../../src/server/http-server.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { linkIn, readForm, TestBrowser } from '../e2e/support/browser.ts';
import { discoverRp, signInAndGetTokens, signUp, startAuthorization, startTestServer, submitLinkForm } from '../e2e/support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';

let database: TestDatabase;
let store: StoreAdapter;
let server: RunningServer;
let rp: oidc.Configuration;

before(async () => {
  database = sqliteTestDatabase('oidc-security');
  store = await database.open();
  server = await startTestServer(store, { throttle: { maxFailuresPerAccount: 3, maxFailuresPerIp: 50 } });
  rp = await discoverRp(server);
});

after(async () => {
  await server.close();
  await store[Symbol.asyncDispose]();
  await database.drop();
});

const mailsTo = (to: string) => server.ims.outbox.list({ to });

test('pre-hijacking (classic + unexpired session): the owner verifying the address ends the squatter and its sessions', async () => {
  const attacker = new TestBrowser(server.url);
  const squatLink = await signUp(server, attacker, { email: 'victim@corp.test', password: 'attacker password' });
  const attackerTokens = await signInAndGetTokens(rp, attacker, 'victim@corp.test', 'attacker password');
  assert.equal(attackerTokens.claims()?.email_verified, false);

  // The victim clicks the squatter's verification mail: without the squatter's password it verifies nothing.
  const victim = new TestBrowser(server.url);
  const refused = await submitLinkForm(victim, squatLink, { password: 'victim guesses' });
  assert.equal(refused.status, 401);

  // The pending sign-up does not block the owner: a fresh sign-up goes through and verifies.
  const ownLink = await signUp(server, victim, { email: 'victim@corp.test', password: 'victim password' });
  assert.notEqual(ownLink, squatLink);
  const verified = await submitLinkForm(victim, ownLink, { password: 'victim password' });
  assert.equal(verified.status, 200);

  // The squatter lost everything: refresh, userinfo and the login itself.
  await assert.rejects(oidc.refreshTokenGrant(rp, attackerTokens.refresh_token!));
  await assert.rejects(oidc.fetchUserInfo(rp, attackerTokens.access_token, attackerTokens.claims()!.sub));
  const again = await attacker.follow((await startAuthorization(rp)).url.href);
  assert.match(await again.response.text(), /name="password"/, 'the attacker session is gone');
  const retry = await submitLinkForm(attacker, squatLink, { password: 'attacker password' });
  assert.equal(retry.status, 400, 'the squatter link died with its account');
  const owner = await signInAndGetTokens(rp, victim, 'victim@corp.test', 'victim password');
  assert.equal(owner.claims()?.email_verified, true);
  await assert.rejects(signInAndGetTokens(rp, new TestBrowser(server.url), 'victim@corp.test', 'attacker password'));
});

test('pre-hijacking (unexpired email change): a pending change never blocks or captures the address', async () => {
  const attacker = new TestBrowser(server.url);
  const link = await signUp(server, attacker, { email: 'mallory@evil.test', password: 'mallory password' });
  await submitLinkForm(attacker, link, { password: 'mallory password' });
  const page = readForm(await (await attacker.request('/ims/account/email')).text());
  const asked = await attacker.request(page.action, {
    form: { ...page.fields, email: 'mallory@evil.test', password: 'mallory password', newEmail: 'target@corp.test' },
  });
  assert.equal(asked.status, 200);
  const changeLink = linkIn((await mailsTo('target@corp.test'))[0]!.text, '/ims/account/email/confirm');

  // The owner of target@ signs up and verifies while Mallory's change is pending.
  const owner = new TestBrowser(server.url);
  const ownLink = await signUp(server, owner, { email: 'target@corp.test', password: 'target password' });
  assert.equal((await submitLinkForm(owner, ownLink, { password: 'target password' })).status, 200);

  // Mallory's change link is now void, even with the right password.
  const late = await submitLinkForm(attacker, changeLink, { password: 'mallory password' });
  assert.equal(late.status, 400);
  assert.equal((await server.ims.directory.findVerifiedAccount('target@corp.test'))?.firstName, '');
  assert.equal((await server.ims.directory.findAccountsByEmail('target@corp.test')).length, 1);
});

test('email change takes effect only after the new address confirms, and the old address is told', async () => {
  const browser = new TestBrowser(server.url);
  const link = await signUp(server, browser, { email: 'old@example.test', password: 'mover password' });
  await submitLinkForm(browser, link, { password: 'mover password' });
  const page = readForm(await (await browser.request('/ims/account/email')).text());
  await browser.request(page.action, { form: { ...page.fields, email: 'old@example.test', password: 'mover password', newEmail: 'new@example.test' } });
  const account = (await server.ims.directory.findVerifiedAccount('old@example.test'))!;
  assert.equal(account.email, 'old@example.test', 'nothing changes before confirmation');
  const confirmLink = linkIn((await mailsTo('new@example.test'))[0]!.text, '/ims/account/email/confirm');
  assert.equal((await submitLinkForm(browser, confirmLink, { password: 'mover password' })).status, 200);
  const moved = (await server.ims.directory.getAccount(account.id))!;
  assert.equal(moved.email, 'new@example.test');
  assert.equal(moved.emailVerified, true);
  assert.match((await mailsTo('old@example.test'))[0]!.subject, /email was changed/);
  assert.equal((await submitLinkForm(browser, confirmLink, { password: 'mover password' })).status, 400, 'single use');
});

test('password reset: only for verified accounts, single use, and it signs every session out', async () => {
  const browser = new TestBrowser(server.url);
  const link = await signUp(server, browser, { email: 'reset@example.test', password: 'first password' });
  await submitLinkForm(browser, link, { password: 'first password' });
  const tokens = await signInAndGetTokens(rp, browser, 'reset@example.test', 'first password');
  const form = readForm(await (await browser.request('/ims/account/reset')).text());
  await browser.request(form.action, { form: { ...form.fields, email: 'reset@example.test' } });
  const resetLink = linkIn((await mailsTo('reset@example.test'))[0]!.text, '/ims/account/reset/confirm');
  assert.equal((await submitLinkForm(browser, resetLink, { password: 'second password' })).status, 200);
  assert.equal((await submitLinkForm(browser, resetLink, { password: 'third password' })).status, 400);
  await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token!));
  const fresh = await signInAndGetTokens(rp, new TestBrowser(server.url), 'reset@example.test', 'second password');
  assert.ok(fresh.access_token);

  // A forged token is refused by its signature.
  const forged = resetLink.replace(/token=([^.]+)\.(.+)$/, 'token=$1.AAAA');
  assert.equal((await submitLinkForm(browser, forged, { password: 'fourth password' })).status, 400);
});

test('throttling pauses an account after repeated failures, with a clear message', async () => {
  const browser = new TestBrowser(server.url);
  const link = await signUp(server, browser, { email: 'slow@example.test', password: 'slow password 1' });
  await submitLinkForm(browser, link, { password: 'slow password 1' });
  const start = await startAuthorization(rp);
  const login = await browser.follow(start.url.href);
  const form = readForm(await login.response.text());
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const response = await browser.request(form.action, { form: { ...form.fields, email: 'slow@example.test', password: 'wrong' } });
    statuses.push(response.status);
    if (i === 3) assert.match(await response.text(), /Too many failed sign-in attempts\. Try again in 15 minutes/);
  }
  assert.deepEqual(statuses, [401, 401, 401, 429], 'three failures allowed, then paused');
  const right = await browser.request(form.action, { form: { ...form.fields, email: 'slow@example.test', password: 'slow password 1' } });
  assert.equal(right.status, 429, 'even the right password waits');
});

test('every form refuses a missing or foreign CSRF token', async () => {
  const browser = new TestBrowser(server.url);
  const page = readForm(await (await browser.request('/ims/account/signup')).text());
  const missing = await browser.request(page.action, { form: { email: 'csrf@example.test', password: 'csrf password 1' } });
  assert.equal(missing.status, 403);
  const other = new TestBrowser(server.url);
  const foreign = readForm(await (await other.request('/ims/account/signup')).text());
  const replayed = await browser.request(page.action, { form: { ...foreign.fields, email: 'csrf@example.test', password: 'csrf password 1' } });
  assert.equal(replayed.status, 403);
  assert.equal((await server.ims.directory.findAccountsByEmail('csrf@example.test')).length, 0);

  const start = await startAuthorization(rp);
  const login = readForm(await (await browser.follow(start.url.href)).response.text());
  const noToken = await browser.request(login.action, { form: { email: 'x@example.test', password: 'whatever' } });
  assert.equal(noToken.status, 403);
});

test('return_to only follows relative IMS paths (no open redirect)', async () => {
  const browser = new TestBrowser(server.url);
  for (const target of ['https://evil.test/', '//evil.test/x', '/\\evil.test', '/ims//evil.test', 'javascript:alert(1)']) {
    const page = await (await browser.request(`/ims/account/signup?return_to=${encodeURIComponent(target)}`)).text();
    assert.equal(readForm(page).fields.return_to, '/ims/account/done', target);
  }
  const ok = await (await browser.request('/ims/account/signup?return_to=%2Fims%2Finteraction%2Fabc')).text();
  assert.equal(readForm(ok).fields.return_to, '/ims/interaction/abc');
});

test('the development outbox page lists mail; sign-up never says whether an address exists', async () => {
  const browser = new TestBrowser(server.url);
  const link = await signUp(server, browser, { email: 'known@example.test', password: 'known password' });
  await submitLinkForm(browser, link, { password: 'known password' });
  const page = readForm(await (await browser.request('/ims/account/signup')).text());
  const first = await browser.request(page.action, { form: { ...page.fields, email: 'known@example.test', password: 'another password' } });
  const fresh = await browser.request(page.action, { form: { ...page.fields, email: 'unused@example.test', password: 'another password' } });
  assert.equal(first.status, fresh.status);
  const outbox = await (await browser.request('/ims/dev/outbox')).text();
  assert.match(outbox, /You already have a IMS account/);
  assert.equal((await server.ims.directory.findAccountsByEmail('known@example.test')).length, 1);
});
