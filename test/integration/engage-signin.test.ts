// Engage's sign-in across the move, end to end: real Engage (SQLite), real embedded IMS, real HTTP on 127.0.0.1.
import { normalizeEmail } from '../../src/core/email/normalize-email.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ProductUser } from '../../src/core/model.ts';
import { countAccountTokens } from '../../examples/engage/src/auth/account-tokens.ts';
import { getUser } from '../../examples/engage/src/users/user-records.ts';
import { DEMO_PASSWORD } from '../../examples/engage/seed.ts';
import { TestBrowser } from '../e2e/support/browser.ts';
import { accessRows, imsLogin, jsonRequest, passwordLogin, startEngageWithIms, type EngageWithIms } from './engage-support.ts';

let setup: EngageWithIms;
let people: ProductUser[];
const browser = (): TestBrowser => new TestBrowser(setup.engage.url);

/** Rehome's user phase for one user, through the REST ProductSource: IMS account, link, then (optionally) cutover. */
async function migrate(user: ProductUser, options: { cutover: boolean }): Promise<string> {
  const account = await setup.createImsAccount(user);
  await setup.source.writeIdentityLink(user.id, { issuer: setup.issuer, subject: account.id });
  if (options.cutover) await setup.source.cutoverUser(user.id);
  return account.id;
}

async function home(b: TestBrowser, path = '/app-ab12/'): Promise<{ status: number; text: string }> {
  const response = await b.request(path);
  return { status: response.status, text: await response.text() };
}

before(async () => {
  setup = await startEngageWithIms('signin');
  const all = await setup.source.listUsers();
  // Ordinary users who can sign in today, each test takes its own.
  people = all.filter((u) => !u.apiOnly && u.status === 'active' && u.emailVerified && !u.locked && u.expiresAt === null && !u.sso
    && u.email === u.email.toLowerCase() && u.login === u.email && !u.access.some((a) => a.role === 'Admin')
    && normalizeEmail(u.email).ok); // an address the IMS takes (the population has a look-alike on purpose)
  assert.ok(people.length >= 8);
});

after(async () => {
  await setup.close();
});

test('password sign-in before the cutover lands on the old URL with the deep link kept', async () => {
  const b = browser();
  const response = await passwordLogin(b, people[0]!.login, DEMO_PASSWORD, 'RP1200A1');
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), '/app-ab12/#RP1200A1');
  const page = await home(b);
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`data-user-id="${people[0]!.id}"`));
  assert.match(page.text, /with <span id="signed-in-with">password<\/span>/);
  assert.match(page.text, /<table id="access">/);
  const wrong = await passwordLogin(browser(), people[0]!.login, 'not-the-password');
  assert.equal(wrong.status, 401);
});

test('the login page offers the configured IMS button', async () => {
  const page = await (await browser().request('/app-ab12/login')).text();
  assert.match(page, /<button class="ims" type="submit">Continue with Acme ID<\/button>/);
  assert.match(page, /action="\/app-ab12\/auth\/ims"/);
});

test('linked but not cut over: both the password and "Continue with IMS" work', async () => {
  const user = people[1]!;
  await migrate(user, { cutover: false });
  assert.equal((await passwordLogin(browser(), user.login, DEMO_PASSWORD)).status, 303);
  const b = browser();
  const answer = await imsLogin(setup, b, user.email);
  assert.equal(answer.status, 303);
  assert.equal(answer.headers.get('location'), '/#/@acme/so:123-ABC-456/engage/');
});

test('after link + cutover, IMS sign-in lands the same user with the same access on the new URL', async () => {
  const user = people[2]!;
  const accessBefore = accessRows(setup.engage);
  const snapshotBefore = await setup.source.getAccess();
  await migrate(user, { cutover: true });
  const b = browser();
  const answer = await imsLogin(setup, b, user.email, { fragment: 'RP1221A4' });
  assert.equal(answer.status, 303);
  assert.equal(answer.headers.get('location'), '/#/@acme/so:123-ABC-456/engage/RP1221A4');
  const page = await home(b, '/');
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`data-user-id="${user.id}"`));
  assert.match(page.text, /with <span id="signed-in-with">IMS<\/span>/);
  for (const grant of user.access) assert.ok(page.text.includes(`<td>${grant.workspace}</td><td>${grant.partition}</td><td>${grant.role}</td>`), JSON.stringify(grant));
  // Signing in through the IMS wrote no role, workspace or partition, for anybody.
  assert.deepEqual(accessRows(setup.engage), accessBefore);
  assert.deepEqual(await setup.source.getAccess(), snapshotBefore);
  assert.equal((await setup.source.listUsers()).find((u) => u.id === user.id)!.access.length, user.access.length);
});

test('after the cutover the password is refused with the right message and the IMS button', async () => {
  const user = people[3]!;
  await migrate(user, { cutover: true });
  const response = await passwordLogin(browser(), user.login, DEMO_PASSWORD);
  assert.equal(response.status, 403);
  const page = await response.text();
  assert.match(page, /Your account has moved to the company sign-in\. Choose &#34;Continue with Acme ID&#34;/);
  assert.match(page, /<button class="ims" type="submit">Continue with Acme ID<\/button>/);
  // A wrong password still says only that the password is wrong: the page tells strangers nothing about the account.
  assert.equal((await passwordLogin(browser(), user.login, 'wrong-password-123')).status, 401);
});

test('cutover revokes the user\'s password sessions and drops pending reset and email-change tokens', async () => {
  const user = people[4]!;
  const b = browser();
  assert.equal((await passwordLogin(b, user.login, DEMO_PASSWORD)).status, 303);
  assert.equal((await home(b)).status, 200);
  // A password-reset link (asked for by anyone) and an email change (asked for in the session) are pending.
  await browser().request('/app-ab12/account/password-reset', { form: { login: user.login }, headers: { origin: setup.engage.url } });
  const change = await b.request('/app-ab12/account/email', { form: { email: 'attacker@evil.example' }, headers: { origin: setup.engage.url } });
  assert.equal(change.status, 200);
  assert.equal(countAccountTokens(setup.engage.db, user.id), 2);
  const resetLink = /https?:\/\/\S+password-reset\/confirm\?token=\S+/.exec(mailBody(user.email))![0];

  const account = await setup.createImsAccount(user);
  await setup.source.writeIdentityLink(user.id, { issuer: setup.issuer, subject: account.id });
  assert.deepEqual(await setup.source.cutoverUser(user.id), { userId: user.id, revokedSessions: 1, droppedTokens: 2 });

  assert.equal((await home(b)).status, 302, 'the old session is gone: back to the sign-in page');
  assert.equal(countAccountTokens(setup.engage.db, user.id), 0);
  const token = new URL(resetLink).searchParams.get('token')!;
  const reset = await browser().request('/app-ab12/account/password-reset/confirm', { form: { token, password: 'a-new-password-123' }, headers: { origin: setup.engage.url } });
  assert.equal(reset.status, 400);
  assert.match(await reset.text(), /data-code="invalid_token"/);
  // And no new reset link is issued for a cut-over user.
  await browser().request('/app-ab12/account/password-reset', { form: { login: user.login }, headers: { origin: setup.engage.url } });
  assert.equal(countAccountTokens(setup.engage.db, user.id), 0);
  assert.equal(getUser(setup.engage.db, user.id)!.email, user.email, 'the email change never happened');
});

test('an IMS identity that nobody linked is refused without naming anyone, even with a matching email', async () => {
  const user = people[5]!;
  await setup.createImsAccount(user); // same verified email as the Engage user, but Rehome never linked it
  const answer = await imsLogin(setup, browser(), user.email);
  assert.equal(answer.status, 403);
  const page = await answer.text();
  assert.match(page, /data-code="not_linked"/);
  const admin = setup.logins.admin;
  assert.ok(!page.includes(admin.email) && !page.includes(admin.lastName), 'names no admin (test/integration/engage-not-connected.test.ts)');
});

test('a tampered state at Engage\'s callback is refused', async () => {
  const user = people[1]!; // linked earlier
  const answer = await imsLogin(setup, browser(), user.email, { tamper: (callback) => callback.searchParams.set('state', 'forged-state-value-0123456789') });
  assert.equal(answer.status, 400);
  assert.match(await answer.text(), /data-code="state_mismatch"/);
  assert.equal((await imsLogin(setup, browser(), user.email)).status, 303, 'the untampered flow works');
});

test('API-only users keep their API credentials after the move; their password sign-in never existed', async () => {
  await setup.source.cutoverSubscription();
  const { clientId, clientSecret } = setup.logins.apiOnly;
  const token = await fetch(`${setup.engage.url}/api/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) });
  assert.equal(token.status, 200);
  const { access_token: accessToken, token_type: type } = await token.json() as { access_token: string; token_type: string };
  assert.equal(type, 'Bearer');
  const me = await fetch(`${setup.engage.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${accessToken}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json() as { userId: string }).userId, setup.logins.apiOnly.user.id);
  const wrong = await fetch(`${setup.engage.url}/api/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' }) });
  assert.equal(wrong.status, 401);
  const password = await passwordLogin(browser(), setup.logins.apiOnly.user.login, DEMO_PASSWORD);
  assert.equal(password.status, 403);
  assert.match(await password.text(), /API-only user/);
});

test('after the move, users who were not migrated are told whom to ask; migrated users still get in', async () => {
  await setup.source.cutoverSubscription();
  const response = await passwordLogin(browser(), people[6]!.login, DEMO_PASSWORD);
  assert.equal(response.status, 403);
  const page = await response.text();
  assert.match(page, /Your account was not moved to the company sign-in\. Ask /);
  assert.ok(page.includes(setup.logins.admin.email));
  assert.equal((await imsLogin(setup, browser(), people[2]!.email)).status, 303);
});

test('after the move, user management changes only API-only users; access stays editable here', async () => {
  await setup.source.cutoverSubscription();
  const admin = people[7]!;
  // Make people[7] an admin who signs in through the IMS (admins migrate first).
  setup.engage.db.sqlite.prepare('UPDATE users SET is_admin = 1 WHERE id = ?').run(admin.id);
  await migrate(admin, { cutover: true });
  const b = browser();
  assert.equal((await imsLogin(setup, b, admin.email)).status, 303);
  const patch = (id: string, body: unknown) => jsonRequest(b, 'PATCH', `/app-ab12/api/users/${id}`, body);
  const refused = await patch(people[6]!.id, { firstName: 'Changed' });
  assert.equal(refused.status, 403);
  assert.equal((await refused.json() as { error: { code: string } }).error.code, 'managed_in_ims');
  const apiUser = setup.logins.apiOnly.user;
  const allowed = await patch(apiUser.id, { firstName: 'Integration' });
  assert.equal(allowed.status, 200);
  assert.equal((await allowed.json() as ProductUser).firstName, 'Integration');
  const access = [{ workspace: 'EMEA', partition: 'Leads', role: 'Analyst' }];
  const put = await jsonRequest(b, 'PUT', `/app-ab12/api/users/${people[6]!.id}/access`, { access });
  assert.equal(put.status, 200);
  assert.deepEqual((await put.json() as ProductUser).access, access);
});

function mailBody(to: string): string {
  const rows = setup.engage.db.sqlite.prepare('SELECT body FROM outbox WHERE to_address = ? ORDER BY id DESC').all(to) as { body: string }[];
  return rows[0]?.body ?? '';
}
