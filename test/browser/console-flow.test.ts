// The migration console in a real browser (Debian's chromium through playwright-core), on a real server: the first
// admin opens it with the bootstrap link, schedules, migrates the admins, then signs in through the IMS and takes
// the subscription to confirmed — date picker bounds, extend, migrate selected, resend verification, skip with a
// reason, live progress over server-sent events, confirm — with an axe-core check of every page.
import { test, before, after } from 'node:test';
import { mkdirSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { migrationDb } from '../../src/engine/migration-repo.ts';
import { givePassword, launchBrowser, PROD, seriousA11yViolations, startConsoleWorld, type ConsoleWorld } from './console-harness.ts';

let world: ConsoleWorld;
/** Screenshots to look at (not the docs' walkthrough ones). */
const SHOTS = process.env.CONSOLE_SHOTS ?? '/tmp/console-flow-shots';
/** A day and time as the console writes them: "13 Dec 2026," */
const DAY = '\\d{1,2} [A-Z][a-z]{2} \\d{4},';
/** Reason and status codes where a person reads (codes that are also English words, such as `locked`, aside). */
const RAW_CODE = /\b(email_unverified|invite_not_accepted|login_differs_from_email|access_expires|plus_or_dot_address|admin_not_ready|in_several_subscriptions|invalid_email|duplicate_email|ambiguous_ims_match|ims_email_unverified|confusable_email|sso_not_configured|domain_claimed_elsewhere|ims_account_disabled|identity_type_conflict|ims_signup_pending|api_only|needs_email_verification|stays_local|not_migrated)\b/;

/** The blanks a sentence shows when its detail is lost: 'as ""', 'on ;', 'is ;', '()'. */
function assertNoBlanks(where: string, text: string): void {
  for (const blank of [/""/, / ; /, /on ;/, / as ""/, /\(\)/, /: \./]) {
    const m = blank.exec(text);
    assert.equal(m, null, `${where}: "${m ? text.slice(Math.max(0, m.index - 60), m.index + 30) : ''}"`);
  }
}

/** What the first screen shows, or one part of the page. */
async function shot(name: string, part?: string): Promise<void> {
  if (part) await page.locator(part).screenshot({ path: `${SHOTS}/${name}.png` });
  else await page.screenshot({ path: `${SHOTS}/${name}.png` });
}
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** The confirm() prompts the pages asked, in order. */
const prompts: string[] = [];
const TZ = 'America/Los_Angeles';
const base = () => `${world.server.url}/console/s/${PROD}`;
const flash = async () => (await page.locator('#flash').textContent())?.trim() ?? '';
const userState = async (id: string) => (await migrationDb(world.store.kysely).selectFrom('mig_users').select('state').where('subscription_id', '=', PROD).where('user_id', '=', id).executeTakeFirstOrThrow()).state;
const subState = async () => (await migrationDb(world.store.kysely).selectFrom('mig_subscriptions').select('state').where('subscription_id', '=', PROD).executeTakeFirstOrThrow()).state;

async function expectAccessible(label: string): Promise<void> {
  assert.deepEqual(await seriousA11yViolations(page), [], `${label}: no serious or critical axe violations`);
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [world, browser] = await Promise.all([startConsoleWorld({ concurrency: 2, slowIdpMs: 15 }), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (d) => { prompts.push(d.message()); void d.accept(); });
});

after(async () => {
  await context?.close();
  await browser?.close();
  await world?.close();
});

test('the bootstrap link opens the console once; the sign-in page and overview are accessible', async () => {
  await page.goto(`${world.server.url}/console/`);
  assert.equal(await page.locator('h1').textContent(), 'Migration console');
  await expectAccessible('sign-in page');
  const link = await createBootstrapLink(world.store, PROD);
  await page.goto(world.server.url + link.path);
  await page.getByRole('button', { name: 'Continue to the console' }).click();
  await page.waitForURL(base());
  assert.equal(await page.locator('h1').textContent(), 'Overview');
  await expectAccessible('overview');
  // Single use: the same link again is refused.
  await page.goto(world.server.url + link.path);
  await page.getByRole('button', { name: 'Continue to the console' }).click();
  assert.match(await page.locator('main').textContent() ?? '', /already used, has expired/);
  await page.goto(base());
  assert.equal(await page.locator('h1').textContent(), 'Overview', 'the session made before is still valid');
});

test('the date picker is bounded to 8-30 days ahead in the subscription time zone, and the server refuses out-of-range dates', async () => {
  const today = localDate(new Date(), TZ);
  const input = page.locator('#date');
  assert.equal(await input.getAttribute('min'), addDays(today, 8));
  assert.equal(await input.getAttribute('max'), addDays(today, 30));
  // Past the browser's own check: the server validates too.
  await input.evaluate((el) => { el.removeAttribute('min'); el.removeAttribute('max'); });
  await input.fill(addDays(today, 7));
  await page.getByRole('button', { name: 'Save date' }).click();
  await page.waitForURL(base());
  assert.match(await flash(), /8 to 30 days ahead/);
  assert.equal(await subState(), 'product_linked');
  // The refused day stays in the field, marked invalid, with why beside it (not only in the banner above).
  assert.equal(await page.locator('#date').inputValue(), addDays(today, 7));
  assert.equal(await page.locator('#date').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#date-error').textContent() ?? '', /8 to 30 days ahead/);
  assert.match(await page.locator('#date').getAttribute('aria-describedby') ?? '', /date-error/);
  assert.deepEqual(await seriousA11yViolations(page), [], 'the refused field');
  await page.locator('#date').fill(addDays(today, 8));
  await page.getByRole('button', { name: 'Save date' }).click();
  // One date format, in the subscription's zone, said once ("starts ... on 2026-12-13" said it twice).
  assert.match(await flash(), new RegExp(`^The user migration starts ${DAY} 00:00 America/Los_Angeles \\(midnight in the subscription's time zone\\)\\.$`));
  assert.equal(await subState(), 'users_scheduled');
  assert.equal(await page.locator('#date').inputValue(), addDays(today, 8));
  const where = await page.locator('section[aria-labelledby="where-h"]').innerText();
  assert.match(where, /User migration scheduled\. The user-migration date is set/);
  assert.match(where, new RegExp(`User migration starts ${DAY} 00:00 America/Los_Angeles; the self-service window ends ${DAY} 00:00 America/Los_Angeles\\.`));
  assert.match(await page.locator('#date-hint').innerText(), new RegExp(`^Between ${DAY.slice(0, -1)} and ${DAY.slice(0, -1)}\\.$`));
  await shot('overview-scheduled');
});

test('readiness: filters by status and reason, search, each reason with its fix, CSV and HTML downloads', async () => {
  await page.getByRole('link', { name: 'Readiness', exact: true }).click();
  await expectAccessible('readiness');
  await shot('readiness');
  await shot('readiness-reasons', '#readiness-reasons');
  // Issue 13: the filters sat below a 1,000 px reason table; reasons were codes; admins were "(1003)"; the reason
  // table read 'signs in as "", which' and "access on ;".
  const filters = (await page.locator('#readiness-filters').boundingBox())!;
  const reasonTable = (await page.locator('#readiness-reasons').boundingBox())!;
  assert.ok(filters.y < reasonTable.y, 'the filters come before the reason table');
  assert.ok(filters.y + filters.height < 900, `the filters are on the first screen (at ${Math.round(filters.y)} px)`);
  const main = await page.locator('main').innerText();
  assertNoBlanks('readiness page', main);
  assert.doesNotMatch(main, RAW_CODE, 'reasons and statuses are shown by their labels');
  assert.match(main, /Ken Lamarr \(1003\)/, 'the admin who is not ready, by name and id');
  const reasonCells = await page.locator('#readiness-reasons tbody tr td:first-child').allInnerTexts();
  assert.ok(reasonCells.includes('Email not verified') && reasonCells.includes('Signs in with a user name'), reasonCells.join(' | '));
  assert.equal(await page.locator('#readiness-reasons tr[data-code="email_unverified"]').count(), 1, 'the code stays in the page for support');
  const options = await page.locator('#r-reason option').allInnerTexts();
  assert.ok(options.some((o) => /^Email not verified \(\d+\)$/.test(o)), options.join(' | '));
  await page.locator('#r-status').selectOption('blocked');
  await page.getByRole('button', { name: 'Apply' }).click();
  const rows = page.locator('tbody tr td.st');
  const statuses = new Set(await rows.allTextContents());
  assert.deepEqual([...statuses], ['Blocked']);
  await page.locator('#r-status').selectOption('');
  await page.locator('#r-reason').selectOption('email_unverified');
  await page.getByRole('button', { name: 'Apply' }).click();
  assert.ok((await page.locator('#readiness-users tbody tr').count()) > 0);
  assert.match(await page.locator('main').textContent() ?? '', /Fix: Send a verification email/);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  const text = await (await csv.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8'));
  assert.match(text.split('\r\n')[0]!, /^subscription_id,id,email/);
  assert.ok(text.split('\r\n').slice(1, -1).every((l) => l.includes('email_unverified')), 'the download holds the filtered users');
  const [htmlFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download HTML report' }).click()]);
  assert.equal(htmlFile.suggestedFilename(), `readiness-${PROD}.html`);
  await page.goto(`${base()}/readiness`);
  const [fullReport] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download HTML report' }).click()]);
  const reportPage = await context.newPage();
  await reportPage.setContent(await (await fullReport.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8')));
  const reportText = await reportPage.locator('body').innerText();
  assertNoBlanks('downloaded HTML report', reportText);
  assert.match(reportText, /Admins not ready: 1 of 3: Ken Lamarr \(1003\)\. /);
  assert.match(reportText, /The product ends this user's access on \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d America\/Los_Angeles;/);
  await reportPage.screenshot({ path: `${SHOTS}/readiness-report.png`, fullPage: false });
  await reportPage.close();
  await page.goto(`${base()}/readiness?reason=email_unverified`);
  await page.locator('#r-reason').selectOption('');
  await page.locator('#r-q').fill('1001');
  await page.getByRole('button', { name: 'Apply' }).click();
  assert.equal(await page.locator('#readiness-users tbody tr').count(), 1);
});

test('migrate selected: the admins move first, the status tab follows live (SSE) without a reload', async () => {
  await page.goto(`${base()}/users`);
  await expectAccessible('users tab');
  // Issue 13: the prompt came with nothing selected and without a count.
  prompts.length = 0;
  await page.getByRole('button', { name: 'Migrate Now' }).click();
  assert.equal(await flash(), 'Select at least one user first.');
  assert.deepEqual(prompts, [], 'no prompt with nothing selected');
  for (const id of ['1001', '1002']) await page.getByLabel(`Select user ${id}`).check();
  await page.getByRole('button', { name: 'Migrate Now' }).click();
  assert.deepEqual(prompts, ['Migrate the 2 selected users now?']);
  await page.waitForURL(`${base()}/status`);
  assert.match(await flash(), /Migrating 2 selected users/);
  await page.waitForFunction(() => document.querySelector('[data-live-text="count-migrated"]')?.textContent === '2', undefined, { timeout: 15_000 });
  assert.equal(await userState('1001'), 'migrated');
  await expectAccessible('status tab');
  // Migrating admins before the date moves the state, not the date: the page must not say "started" ahead of it.
  const window = await page.locator('section[aria-labelledby="window-h"]').innerText();
  assert.doesNotMatch(window, /started/, window);
  assert.match(await page.locator('#starts').innerText(), new RegExp(`^${DAY} 00:00 America/Los_Angeles$`));
});

test('a refused action says why in people\'s terms, names the person and keeps the code for support', async () => {
  await page.goto(`${base()}/users?state=eligible`);
  const id = (await page.locator('tbody input[name="user"]').first().getAttribute('value'))!;
  const name = (await migrationDb(world.store.kysely).selectFrom('mig_users').select(['first_name', 'last_name']).where('subscription_id', '=', PROD).where('user_id', '=', id).executeTakeFirstOrThrow());
  await page.getByLabel(`Select user ${id}`).check();
  await page.getByRole('button', { name: 'Retry' }).click();
  assert.equal(await flash(), `${name.first_name} ${name.last_name} (${id}) has not been tried yet, so there is nothing to retry.`);
  assert.equal(await page.locator('#flash').getAttribute('data-code'), 'transition_refused');
  await shot('users-refusal');
  // The User Migration tab: people by name and id, reasons and their filter by label.
  await page.goto(`${base()}/users?admin=1`);
  const cells = await page.locator('tbody tr td:nth-child(2)').allInnerTexts();
  assert.match(await page.locator('#table-summary').innerText(), /^Showing all 3 users\. /, 'one page says it plainly, not "Showing 1–3 of 3"');
  // "Ready to migrate" is not success: it is not green like "Migrated".
  await page.goto(`${base()}/users?state=eligible`);
  const ready = await page.locator('td.st').first().evaluate((el) => getComputedStyle(el).color);
  await page.goto(`${base()}/users?state=migrated`);
  const migratedColor = await page.locator('td.st').first().evaluate((el) => getComputedStyle(el).color);
  assert.notEqual(ready, migratedColor);
  await page.goto(`${base()}/users?admin=1`);
  assert.ok(cells.some((c) => c.startsWith('Ada Hopper (1001)')), cells.join(' | '));
  const reasonOptions = await page.locator('#reason-filter option').allInnerTexts();
  assert.ok(reasonOptions.includes('Email not verified') && !reasonOptions.some((o) => o.includes('_')), reasonOptions.join(' | '));
  await page.goto(`${base()}/users?state=blocked`);
  const main = await page.locator('main').innerText();
  assertNoBlanks('users tab', main);
  assert.doesNotMatch(main, RAW_CODE);
  await expectAccessible('users tab, blocked');
});

test('admins first: the page names the admin the others wait for, and Migrate Now of others is refused with the way out', async () => {
  await page.goto(`${base()}/users`);
  const panel = page.locator('#admins-first');
  assert.match(await panel.innerText(), /^Waiting for the admins\n+Admins migrate first: Ken Lamarr \(1003\) is neither migrated nor skipped, so nobody else moves yet\./);
  assert.match(await panel.innerText(), /Cannot migrate now \(not verified or blocked\): Ken Lamarr \(1003\)\./);
  assert.equal(await panel.getByRole('button', { name: 'Migrate the admins now' }).count(), 0, 'no admin who can move is left to offer');
  await page.goto(`${base()}/users?state=eligible`);
  const id = (await page.locator('tbody input[name="user"]').first().getAttribute('value'))!;
  await page.getByLabel(`Select user ${id}`).check();
  await page.getByRole('button', { name: 'Migrate Now' }).click();
  await page.waitForURL(/\/users\?state=eligible$/);
  assert.equal(await flash(), 'Admins migrate first: Ken Lamarr (1003) is neither migrated nor skipped, so nobody else moves yet. Migrate the admins now, or skip the ones who cannot move (they need a second confirmation); then the others.');
  assert.equal(await page.locator('#flash').getAttribute('data-code'), 'admins_first');
  assert.equal(await userState(id), 'eligible', 'nothing was queued');
  await expectAccessible('users tab, admins first');
  await shot('users-admins-first');
});

test('the migrated admin signs in through the IMS; another subscription stays invisible (404)', async () => {
  const admin = await givePassword(world.store, PROD, '1001', 'correct horse battery staple 1001');
  await page.getByRole('button', { name: 'Sign out' }).click();
  assert.equal(await page.locator('h1').textContent(), 'Signed out');
  await page.goto(`${base()}/status`);
  await page.getByRole('link', { name: 'Sign in with the IMS' }).click();
  await page.locator('#email').fill(admin.email);
  await page.locator('#password').fill('correct horse battery staple 1001');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base()}/status`);
  assert.match(await page.locator('.who').textContent() ?? '', /Signed in as Ada Hopper/);
  await page.goto(`${world.server.url}/console/`);
  const listed = await page.locator('ul.subs li').allTextContents();
  assert.equal(listed.length, 1);
  assert.match(listed[0]!, /123-ABC-456/);
  await expectAccessible('home');
  const other = await page.goto(`${world.server.url}/console/s/123-ABC-999/status`);
  assert.equal(other?.status(), 404);
  const missing = await page.goto(`${world.server.url}/console/s/NO-SUCH-SUB/status`);
  assert.equal(missing?.status(), 404);
  assert.equal(await page.locator('main').textContent(), await (await page.goto(`${world.server.url}/console/s/123-ABC-999`))!.text().then(() => page.locator('main').textContent()), 'the same answer for another subscription and a missing one');
});

test('extend: each press adds a week, at most three times, audited', async () => {
  await page.goto(`${base()}/status`);
  const expires = async () => (await page.locator('#expires').textContent())?.trim() ?? '';
  const first = await expires();
  const button = page.getByRole('button', { name: /Extend expiration/ });
  for (let i = 1; i <= 3; i++) {
    await button.click();
    assert.match(await flash(), new RegExp(`extension ${i} of 3`));
  }
  assert.notEqual(await expires(), first);
  assert.equal(await button.isDisabled(), true, 'bounded: the fourth extension is not offered');
  const audit = await world.store.listAudit({ subscriptionId: PROD, action: 'subscription:extend' });
  assert.equal(audit.length, 3);
  assert.match(audit[0]!.actor, /^admin:/);
});

test('resend verification to one user, then skip with a reason (refused without one); skipping the admin asks a second time', async () => {
  await page.goto(`${base()}/users?state=needs_email_verification`);
  const firstId = (await page.locator('tbody input[name="user"]').first().getAttribute('value'))!;
  assert.equal(firstId, '1003', 'the first user waiting for verification is the admin Ken Lamarr');
  await page.getByLabel(`Select user ${firstId}`).check();
  await page.getByRole('button', { name: 'Verify Email' }).click();
  assert.match(await flash(), /Verification email sent to 1 user/);
  const email = (await migrationDb(world.store.kysely).selectFrom('mig_users').select('email').where('subscription_id', '=', PROD).where('user_id', '=', firstId).executeTakeFirstOrThrow()).email;
  const mails = await world.server.ims.outbox.list({ to: email });
  assert.equal(mails.length, 1, 'the verification mail is in the outbox');

  await page.getByLabel(`Select user ${firstId}`).check();
  await page.getByRole('button', { name: 'Skip Migration', exact: true }).click();
  assert.match(await flash(), /Give a reason for skipping/);
  assert.equal(await userState(firstId), 'needs_email_verification');
  await page.getByLabel(`Select user ${firstId}`).check();
  await page.locator('#reason').fill('left the company');
  await page.getByRole('button', { name: 'Skip Migration', exact: true }).click();
  // The first answer changes nothing: it asks again, naming the admin and what skipping costs.
  assert.match(await flash(), /^Skipping an admin needs a second confirmation/);
  assert.match(await page.locator('#admin-skip-why').innerText(), /^Ken Lamarr \(1003\) is an admin of the subscription\. Skipped, they lose access to the product when the migration is confirmed, and the subscription needs someone to manage it in the IMS/);
  assert.equal(await userState(firstId), 'needs_email_verification');
  await expectAccessible('skip an admin, second question');
  await shot('users-admin-skip-confirm');
  await page.getByRole('button', { name: 'Skip, admins included' }).click();
  await page.waitForURL(/\/users\?state=needs_email_verification$/);
  assert.match(await flash(), /Skipped 1 user \(1003\)/);
  assert.equal(await userState(firstId), 'skipped');
  const audit = await world.store.listAudit({ subscriptionId: PROD, action: 'user:skip' });
  assert.ok(audit.some((e) => e.target === '1003'), 'the skip of the admin is audited');
  await page.goto(`${base()}/users`);
  assert.equal(await page.locator('#admins-first').count(), 0, 'nobody waits any more');
});

test('migrate all: the progress bar moves live while the worker runs', async () => {
  await page.goto(`${base()}/status`);
  const seen = new Set<string>();
  const watch = setInterval(() => { void page.locator('#bar-migration').getAttribute('value').then((v) => { if (v) seen.add(v); }).catch(() => {}); }, 40);
  const updatesBefore = Number(await page.evaluate(() => document.documentElement.dataset.liveUpdates ?? '0'));
  const url = page.url();
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'GET' && r.url() === `${base()}/status`),
    page.getByRole('button', { name: 'Migrate all eligible users' }).click(),
  ]);
  await page.waitForFunction(() => /No migration is running/.test(document.querySelector('[data-live-text="run"]')?.textContent ?? '')
    && document.querySelector('[data-live-text="count-eligible"]')?.textContent === '0', undefined, { timeout: 60_000 });
  clearInterval(watch);
  assert.equal(page.url(), url);
  assert.ok(seen.size >= 2, `the bar moved through several values without a reload (saw ${[...seen].join(', ')})`);
  assert.ok(Number(await page.evaluate(() => document.documentElement.dataset.liveUpdates)) > updatesBefore);
  const eligibleLeft = await migrationDb(world.store.kysely).selectFrom('mig_users').select('user_id').where('subscription_id', '=', PROD).where('state', '=', 'eligible').execute();
  assert.equal(eligibleLeft.length, 0);
});

test('confirm: offered only when everyone is migrated or skipped, asks once more, then completes', async () => {
  const db = migrationDb(world.store.kysely);
  await page.goto(`${base()}/status`);
  assert.equal(await page.getByRole('link', { name: 'Complete Migration' }).isVisible(), false);
  const open = (await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', PROD).where('state', 'in', ['needs_email_verification', 'blocked', 'failed']).execute()).map((u) => u.user_id);
  assert.ok(open.length > 0);
  for (const state of ['needs_email_verification', 'blocked', 'failed']) {
    await page.goto(`${base()}/users?state=${state}`);
    if (await page.locator('tbody input[name="user"]').count() === 0) continue;
    await page.locator('input[data-select-all]').check();
    await page.locator('#reason').fill('does not need the product');
    await page.getByRole('button', { name: 'Skip Migration', exact: true }).click();
    assert.match(await flash(), /Skipped/);
  }
  await page.goto(`${base()}/status`);
  // Issue 13: "220 of 220 users verified (100%)" once the unverified were skipped; the denominator stays.
  const progress = await migrationDb(world.store.kysely).selectFrom('mig_users').select(['state']).where('subscription_id', '=', PROD).execute();
  const required = progress.filter((u) => !['stays_local', 'not_migrated'].includes(u.state)).length;
  const skippedCount = progress.filter((u) => u.state === 'skipped').length;
  assert.match(await page.locator('[data-live-text="verification"]').innerText(), new RegExp(`^\\d+ of ${required} users verified, ${skippedCount} skipped \\(`));
  // A skipped user keeps their real verification status in the table.
  await page.goto(`${base()}/users?state=skipped&q=1003`);
  assert.equal(await page.locator('tbody tr td:nth-child(4)').first().innerText(), 'Unverified');
  await page.goto(`${base()}/status`);
  await page.getByRole('link', { name: 'Complete Migration' }).click();
  await page.waitForURL(`${base()}/confirm`);
  assert.match(await page.locator('main').textContent() ?? '', /skipped users? lose/);
  assert.match(await page.locator('#skipped-admins').innerText(), /^Among the skipped users is an admin of the subscription: Ken Lamarr \(1003\)\./);
  await shot('confirm-skipped-admin');
  await expectAccessible('confirm page');
  await page.getByLabel(/I understand that/).check();
  await page.getByRole('button', { name: 'Confirm: complete the migration' }).click();
  await page.waitForURL(`${base()}/status`);
  assert.match(await flash(), /complete and confirmed/);
  assert.equal(await subState(), 'confirmed');
  // Nothing left to do on the Status tab: no greyed-out Extend, Migrate all or "Resend ... to all 0 unverified users".
  for (const name of [/Extend expiration/, /Migrate all eligible users/, /Resend verification/]) assert.equal(await page.getByRole('button', { name }).count(), 0, String(name));
  await shot('status-confirmed');
});

test('support and audit pages: empty states, filters and the CSV export; every console action names its admin', async () => {
  await page.goto(`${base()}/support`);
  assert.match(await page.locator('main').textContent() ?? '', /No link-rewrite report yet/);
  await expectAccessible('support page');
  await page.goto(`${base()}/audit`);
  await expectAccessible('audit page');
  await page.locator('#a-action').selectOption('user:skip');
  await page.getByRole('button', { name: 'Apply' }).click();
  const actions = new Set(await page.locator('tbody td:nth-child(4)').allTextContents());
  assert.deepEqual([...actions], ['user:skip']);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const text = await (await csv.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8'));
  const lines = text.trim().split('\r\n');
  assert.equal(lines[0], 'seq,at,actor,action,target,details');
  assert.ok(lines.length > 2 && lines.slice(1).every((l) => l.includes(',user:skip,') && l.includes('admin:')));
  const entries = await world.store.listAudit({ subscriptionId: PROD });
  for (const action of ['subscription:schedule', 'subscription:extend', 'user:skip', 'subscription:confirm', 'console:migration_requested', 'comms:sent']) {
    const e = entries.find((x) => x.action === action);
    assert.ok(e, action);
    assert.match(e.actor, /^admin:/, `${action} is recorded with the admin as actor`);
  }
  assert.doesNotMatch(JSON.stringify(entries.map((e) => e.details)), /@acme\.example/, 'no addresses in audit details');
});

test('readable at 375 px: no page scrolls sideways, and each user reads as a card with its status in view', async () => {
  const narrow = await context.newPage();
  await narrow.setViewportSize({ width: 375, height: 800 });
  for (const p of ['', '/readiness', '/status', '/users', '/support', '/audit']) {
    await narrow.goto(`${base()}${p}`);
    const width = await narrow.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${p || '/'} is ${width}px wide at a 375px viewport`);
  }
  await expectAccessibleOn(narrow, 'users tab at 375px', `${base()}/users`);
  // Each user reads as a card: the migration status is on screen without scrolling anything sideways.
  const status = narrow.locator('table.users-table tbody tr').first().locator('td[data-label="Migration status"]');
  const box = (await status.boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= 375, `the status cell spans ${box.x}..${box.x + box.width}px`);
  assert.match(await status.evaluate((el) => getComputedStyle(el, '::before').content), /Migration status/);
  await narrow.locator('table.users-table').scrollIntoViewIfNeeded();
  await narrow.screenshot({ path: new URL('../../docs/screenshots/console-users-narrow.png', import.meta.url).pathname, fullPage: false });
  await narrow.close();
});

async function expectAccessibleOn(p: Page, label: string, url: string): Promise<void> {
  await p.goto(url);
  assert.deepEqual(await seriousA11yViolations(p), [], label);
}
