// Engage's "not connected" answer names nobody (issue 11, item 5C). Anyone with an IMS account can start
// "Continue with IMS" from any subscription's login page and land on it, so it must not list the subscription's
// admins (names, addresses): it tells the person to contact their subscription's administrator, generically.
// Real Engage (SQLite) and the real embedded IMS on 127.0.0.1, signed in through the IMS's own pages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestBrowser } from '../e2e/support/browser.ts';
import { imsLogin, startEngageWithIms, type EngageWithIms } from './engage-support.ts';

let setup: EngageWithIms;
let admins: { first_name: string; last_name: string; email: string }[];

before(async () => {
  setup = await startEngageWithIms('not-connected', 30);
  admins = setup.engage.db.sqlite.prepare('SELECT first_name, last_name, email FROM users WHERE subscription_id = ? AND is_admin = 1')
    .all(setup.logins.subscriptionId) as unknown as typeof admins;
  assert.ok(admins.length > 0, 'the subscription has admins who could be named');
});

after(async () => {
  await setup.close();
});

function assertNamesNoAdmin(page: string): void {
  for (const a of admins) {
    for (const detail of [a.email, a.email.split('@')[0]!, a.last_name, `${a.first_name} ${a.last_name}`].filter((d) => d.length > 2)) {
      assert.ok(!page.toLowerCase().includes(detail.toLowerCase()), `the page names an admin (${detail})`);
    }
  }
}

test('a stranger with an IMS account who starts from the subscription\'s login page learns nobody\'s name or address', async () => {
  await setup.createImsAccount({ email: 'stranger@elsewhere.test', firstName: 'Stranger', lastName: 'Danger' });
  const answer = await imsLogin(setup, new TestBrowser(setup.engage.url), 'stranger@elsewhere.test');
  assert.equal(answer.status, 403);
  const page = await answer.text();
  assert.match(page, /data-code="not_linked"/);
  assert.match(page, /not connected to a user here/);
  assert.match(page, /Contact your subscription(&#39;|&#x27;|')s administrator/);
  assertNamesNoAdmin(page);
});

test('the same for an unlinked IMS account whose verified email matches an Engage user', async () => {
  const user = (await setup.source.listUsers()).find((u) => !u.apiOnly && u.status === 'active' && u.emailVerified && /^[a-z0-9]+(?:[._-][a-z0-9]+)*@[a-z0-9.-]+$/.test(u.email))!;
  await setup.createImsAccount(user); // same verified email as the Engage user, but Rehome never linked it
  const answer = await imsLogin(setup, new TestBrowser(setup.engage.url), user.email);
  assert.equal(answer.status, 403);
  const page = await answer.text();
  assert.match(page, /data-code="not_linked"/);
  assertNamesNoAdmin(page);
});
