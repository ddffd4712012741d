// The admin's walk-through of the `npm start` demo stack in a real browser (Debian's chromium through playwright-core),
// through the console alone: the first-admin one-time link, link the product, schedule the earliest date, migrate
// an admin and two users from the Users tab (one linked to an existing IMS account, one invited), the invitation in
// the outbox, the legacy password refused, "Continue with Acme ID" landing on the same Engage user (activated in
// Rehome), then console sign-out and sign-in again through the IMS. A screenshot of every step goes to
// docs/screenshots/walkthrough-*.png; every console page gets an axe-core check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { DEMO_BRAND, startDemoStack, type DemoStack } from '../../src/demo/demo-stack.ts';
import { migrationDb } from '../../src/engine/migration-repo.ts';
import { DEMO_PASSWORD } from '../../examples/engage/seed.ts';
import { formatDay } from '../../src/core/glossary/dates.ts';
import { launchBrowser, seriousA11yViolations } from './console-harness.ts';

const SHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname;
const ADMIN_PASSWORD = 'walkthrough admin ims password 2026';
const USER_PASSWORD = 'walkthrough user ims password 2026';
const INVITATION = /^Set your Acme ID password for Engage$/;
interface Person { user_id: string; email: string; action: string; state: string; admin: number }

let dir: string;
let stack: DemoStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let admin: Person, userA: Person, userB: Person;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'rehome-walkthrough-'));
  [stack, browser] = await Promise.all([startDemoStack({ dir, rehomePort: 0, engagePort: 0, users: 300 }), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
});

after(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sid = () => stack.logins.subscriptionId;
const base = () => `${stack.rehome.url}/console/s/${sid()}`;
const db = () => migrationDb(stack.store.kysely);
const flash = async (p = page) => (await p.locator('#flash').textContent())?.trim() ?? '';
const shot = (p: Page, name: string) => p.screenshot({ path: `${SHOTS}walkthrough-${name}.png`, fullPage: true });
const people = () => db().selectFrom('mig_users').select(['user_id', 'email', 'action', 'state', 'admin']).where('subscription_id', '=', sid()).orderBy('user_id').execute();
const stateOf = async (id: string) => (await db().selectFrom('mig_users').select('state').where('subscription_id', '=', sid()).where('user_id', '=', id).executeTakeFirstOrThrow()).state;

async function expectAccessible(label: string): Promise<void> {
  assert.deepEqual(await seriousA11yViolations(page), [], `${label}: no serious or critical axe violations`);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) if (await check()) return;
  assert.fail(`timed out waiting for ${what}`);
}

/** The link in the newest mail to `to` whose subject matches, read from the dev outbox page as a person would. */
async function mailedLink(p: Page, to: string, subject: RegExp, shotName: string): Promise<string> {
  await p.goto(`${stack.rehome.url}/ims/dev/outbox?to=${encodeURIComponent(to)}`);
  const mail = p.locator('article').filter({ has: p.locator('h2', { hasText: subject }) }).first();
  await mail.waitFor();
  await shot(p, shotName);
  const link = /https?:\/\/\S+\/ims\/account\/\S+\?token=[^\s"<]+/.exec(await mail.locator('pre').innerText())?.[0];
  assert.ok(link, `a link in the "${subject.source}" mail to ${to}`);
  return link;
}

/** Sets the IMS password from an invitation mail, in a fresh browser so no IMS session is left behind. */
async function acceptInvitation(to: string, password: string, name: string): Promise<void> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await ctx.newPage();
  await p.goto(await mailedLink(p, to, INVITATION, `${name}-invitation`));
  await p.fill('#password', password);
  await p.click('button[type=submit]');
  await p.waitForLoadState();
  await shot(p, `${name}-invitation-accepted`);
  assert.doesNotMatch(await p.locator('body').innerText(), /no longer valid|error/i);
  await ctx.close();
}

/** Users tab: find the user with the search box, tick their box, press "Migrate Now", wait until migrated. */
async function migrateFromConsole(u: Person, name: string): Promise<void> {
  await page.goto(`${base()}/users`);
  await page.fill('#q', u.email);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByLabel(`Select user ${u.user_id}`).check();
  await shot(page, `${name}-selected`);
  await page.getByRole('button', { name: 'Migrate Now' }).click();
  await page.waitForURL(`${base()}/status`);
  assert.match(await flash(), /Migrating 1 selected user/);
  await waitFor(`${u.user_id} to migrate`, async () => ['migrated', 'failed'].includes(await stateOf(u.user_id)));
  assert.equal(await stateOf(u.user_id), 'migrated', `user ${u.user_id} migrated`);
  await page.reload();
  await shot(page, `${name}-status`);
}

/**
 * Admins first, as the users tab offers it: "Migrate the admins now" for those who can move, then the admins who
 * cannot (not verified) skipped with the second confirmation, so that the others may move.
 */
async function migrateAdminsFirst(): Promise<void> {
  const panel = page.locator('#admins-first');
  assert.match(await panel.innerText(), /Admins migrate first: .+ neither migrated nor skipped, so nobody else moves yet\./);
  await shot(page, '05-admin-selected');
  await panel.getByRole('button', { name: 'Migrate the admins now' }).click();
  await page.waitForURL(`${base()}/status`);
  assert.match(await flash(), /^Migrating \d+ selected users?/);
  const admins = (await people()).filter((u) => u.admin === 1);
  await waitFor('the admins who can move to migrate', async () => {
    const now = await people();
    return admins.filter((a) => a.state === 'eligible').every((a) => ['migrated', 'failed'].includes(now.find((u) => u.user_id === a.user_id)!.state));
  });
  assert.equal(await stateOf(admin.user_id), 'migrated', `admin ${admin.user_id} migrated`);
  await page.reload();
  await shot(page, '05-admin-status');
  await page.goto(`${base()}/users`);
  if (await panel.count() === 0) return;
  // Those who cannot move now are skipped, and the console asks a second time before skipping an admin.
  await page.fill('#admin-skip-reason', 'no verified address before the move');
  await panel.getByRole('button', { name: /^Skip these admins/ }).click();
  assert.match(await page.locator('#admin-skip-why').innerText(), /admins? of the subscription\. Skipped, they lose access/);
  await expectAccessible('skip admins, second question');
  await page.getByRole('button', { name: 'Skip, admins included' }).click();
  await page.waitForURL(`${base()}/users`);
  assert.match(await flash(), /^Skipped \d+ users?/);
  assert.equal(await panel.count(), 0, 'no admin is left outstanding');
}

test('01 the first-admin one-time link opens the console', async () => {
  const link = await createBootstrapLink(stack.store, sid());
  await page.goto(`${stack.rehome.url}${link.path}`);
  await shot(page, '01-bootstrap-link');
  await page.getByRole('button', { name: 'Continue to the console' }).click();
  await page.waitForURL(base());
  assert.equal(await page.locator('h1').textContent(), 'Overview');
  await expectAccessible('overview');
});

test('02 overview: link the product, then schedule the earliest allowed date', async () => {
  if (await page.locator('#consent').count()) await page.locator('#consent').check();
  await shot(page, '02-overview-before-link');
  await page.getByRole('button', { name: 'Plan and link the product' }).click();
  assert.match(await flash(), /The product is linked to the IMS organization/);
  const row = await db().selectFrom('mig_subscriptions').select(['state']).where('subscription_id', '=', sid()).executeTakeFirstOrThrow();
  assert.equal(row.state, 'product_linked');
  const stored = await db().selectFrom('mig_plans').select(['plan']).where('subscription_id', '=', sid()).executeTakeFirstOrThrow();
  const timeZone = (JSON.parse(stored.plan as string) as { timeZone: string }).timeZone;
  const earliest = addDays(localDate(new Date(), timeZone), 8);
  const input = page.locator('#date');
  assert.equal(await input.getAttribute('min'), earliest);
  assert.match(await page.locator('#date-hint').innerText(), new RegExp(`Between ${formatDay(earliest, timeZone)} and `));
  await input.fill(earliest);
  await shot(page, '03-overview-date-chosen');
  await page.getByRole('button', { name: 'Save date' }).click();
  assert.match(await flash(), new RegExp(`^The user migration starts ${formatDay(earliest, timeZone)}, 00:00 ${timeZone} `));
  assert.equal(await input.inputValue(), earliest);
  await shot(page, '04-overview-scheduled');
  await expectAccessible('overview, scheduled');
});

test('03 users tab: migrate the admin, a user with an IMS account (link) and one without (invite)', async () => {
  const all = await people();
  const eligible = all.filter((u) => u.state === 'eligible');
  admin = eligible.find((u) => u.user_id === stack.logins.admin.id) ?? eligible.find((u) => u.admin === 1)!;
  userA = eligible.find((u) => u.user_id === stack.logins.user.id && u.action === 'link') ?? eligible.find((u) => !u.admin && u.action === 'link')!;
  userB = eligible.find((u) => !u.admin && (u.action === 'invite' || u.action === 'create'))!;
  assert.ok(admin && userA && userB, 'the plan has an eligible admin, a user to link and a user to invite');
  await page.goto(`${base()}/users`);
  await expectAccessible('users tab');
  await migrateAdminsFirst();
  await migrateFromConsole(userA, '06-user-a');
  await migrateFromConsole(userB, '07-user-b');
  await expectAccessible('status tab');
});

test('04 the invitation to user B is in the IMS outbox', async () => {
  const mails = await stack.rehome.ims.outbox.list({ to: userB.email });
  assert.ok(mails.some((m) => INVITATION.test(m.subject) && /\/ims\/account\/invite\?token=/.test(m.text)), `an invitation mail to ${userB.email}`);
  await mailedLink(page, userB.email, INVITATION, '08-outbox-user-b');
});

test('05 the legacy password no longer signs user A in to Engage', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await ctx.newPage();
  const login = `${stack.engage.url}/app-${stack.logins.instance}/login`;
  assert.equal(stack.logins.password, DEMO_PASSWORD, 'every seeded user shares the demo password');
  const engageUser = stack.engage.db.sqlite.prepare('SELECT login FROM users WHERE id = ?').get(userA.user_id) as { login: string };
  await p.goto(login);
  await p.fill('#login', engageUser.login);
  await p.fill('#password', stack.logins.password);
  await p.click('form[action$="/login"] button[type=submit]');
  await p.locator('[role=alert]').waitFor();
  await shot(p, '09-engage-password-refused');
  assert.match(await p.locator('[role=alert]').innerText(), new RegExp(`Choose "${DEMO_BRAND}"`));
  assert.equal(await p.locator('#signed-in-with').count(), 0, 'not signed in');
  assert.ok(p.url().endsWith('/login'));
  await ctx.close();
});

test('06 user B accepts the invitation, continues with Acme ID and lands on their own Engage account', async () => {
  await acceptInvitation(userB.email, USER_PASSWORD, '10-user-b');
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p = await ctx.newPage();
  await p.goto(`${stack.engage.url}/app-${stack.logins.instance}/login`);
  await p.getByRole('button', { name: DEMO_BRAND }).click();
  await p.waitForURL((u) => u.pathname.startsWith('/ims/'));
  await p.fill('#email', userB.email);
  await p.fill('#password', USER_PASSWORD);
  await shot(p, '11-ims-sign-in-user-b');
  await p.click('button[type=submit]');
  await p.locator('#signed-in-with').waitFor();
  await shot(p, '12-engage-home-user-b');
  assert.equal(await p.locator('#signed-in-with').innerText(), 'IMS');
  assert.equal(await p.locator(`[data-user-id="${userB.user_id}"]`).count(), 1, 'signed in as user B\'s own product user');
  assert.match(await p.locator('#who').innerText(), new RegExp(userB.email.replace(/[.+]/g, '\\$&')));
  await ctx.close();
  await waitFor('user B to be activated', async () => (await stateOf(userB.user_id)) === 'activated', 10_000);
});

test('07 console sign-out, then the migrated admin signs in again through the IMS', async () => {
  await acceptInvitation(admin.email, ADMIN_PASSWORD, '13-admin');
  await page.goto(base());
  await page.getByRole('button', { name: 'Sign out' }).click();
  assert.equal(await page.locator('h1').textContent(), 'Signed out');
  await shot(page, '14-console-signed-out');
  await page.goto(`${stack.rehome.url}/console/`);
  await page.getByRole('link', { name: 'Sign in with the IMS' }).click();
  await page.locator('#email').fill(admin.email);
  await page.locator('#password').fill(ADMIN_PASSWORD);
  await shot(page, '15-console-ims-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/console'));
  const listed = await page.locator('ul.subs li').allTextContents();
  assert.ok(listed.some((t) => t.includes(sid())), `the console lists ${sid()}: ${listed.join(' | ')}`);
  await shot(page, '16-console-home-signed-in');
  await expectAccessible('console home');
  await page.locator('ul.subs a').first().click();
  await page.waitForURL(base());
  await page.getByRole('link', { name: 'Migration Status' }).click();
  await page.waitForURL(`${base()}/status`);
  assert.match(await page.locator('.who').textContent() ?? '', /Signed in as/);
  // Any completed IMS sign-in activates: user B's at Engage, and the admin's own, just now, at the console.
  await waitFor('the admin to be activated', async () => (await stateOf(admin.user_id)) === 'activated', 10_000);
  assert.deepEqual([await stateOf(userA.user_id), await stateOf(userB.user_id)], ['migrated', 'activated']);
  await page.reload();
  // Migrated, not signed in yet: user A and the other admins "Migrate the admins now" moved with the demo's admin.
  const otherAdmins = (await people()).filter((u) => u.admin === 1 && u.user_id !== admin.user_id && u.state === 'migrated').length;
  assert.equal(await page.locator('[data-live-text="count-migrated"]').textContent(), String(1 + otherAdmins), 'user A and the other migrated admins');
  assert.equal(await page.locator('[data-live-text="count-activated"]').textContent(), '2', 'user B and the admin');
  await shot(page, '17-console-status-signed-in-again');
});
