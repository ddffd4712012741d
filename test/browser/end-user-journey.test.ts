// The end user's journey through the move (issue 13), in a real browser (Debian's chromium through playwright-core)
// on the `npm start` stack: the announcement and its help page, Engage's banner (dismissed and remembered), the
// verification link, the invitation naming Engage and the subscription, "Password set" and "Password changed"
// leading back to Engage, an old bookmark signing an IMS-signed-in person in without a click, a report they cannot
// see, and an old URL nothing forwards. Screenshots go to docs/screenshots/journey-*.png; every page gets axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { changeUsers, linkProduct, migrateUsers, planSubscription, scheduleUserMigration } from '../../src/app/actions/index.ts';
import { sendComms } from '../../src/comms/send-comms.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { runDemoMigration } from '../../src/demo/demo-migration.ts';
import { DEMO_BRAND, DEMO_CLIENT, startDemoStack, type DemoStack } from '../../src/demo/demo-stack.ts';
import { migrationDb } from '../../src/engine/migration-repo.ts';
import { visibleReports } from '../../examples/engage/src/web/home-page.ts';
import { getUser } from '../../examples/engage/src/users/user-records.ts';
import { launchBrowser, seriousA11yViolations } from './console-harness.ts';

const SHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname;
const INVITEE_PASSWORD = 'journey invitee ims password 2026';
const ZOE_PASSWORD = 'journey zoe new ims password 2026';
const ADMINS = ['Ada Hopper', 'Tim Nørgaard', 'Ken Lamarr'];

let dir: string;
let stack: DemoStack;
let browser: Browser;
let invitee: { user_id: string; email: string };

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'rehome-journey-'));
  [stack, browser] = await Promise.all([startDemoStack({ dir, rehomePort: 0, engagePort: 0 }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sub = () => stack.logins.subscriptionId;
const app = () => stack.rehome.app;
const engage = (path: string) => `${stack.engage.url}${path}`;
const oldLogin = () => engage(`/app-${stack.logins.instance}/login`);
const newShell = (asset = '') => engage(`/#/@acme/so:${sub()}/engage/${asset}`);
const helpUrl = () => `${stack.rehome.url}/help/${sub()}`;
const shot = (p: Page, name: string) => p.screenshot({ path: `${SHOTS}journey-${name}.png`, fullPage: true });
const people = () => migrationDb(stack.store.kysely).selectFrom('mig_users').select(['user_id', 'email', 'action', 'state', 'admin']).where('subscription_id', '=', sub()).orderBy('user_id').execute();

async function accessible(p: Page, label: string): Promise<void> {
  assert.deepEqual(await seriousA11yViolations(p), [], `${label}: no serious or critical axe violations`);
}

async function withPage<T>(work: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    return await work(await context.newPage(), context);
  } finally {
    await context.close();
  }
}

/** The newest mail to `to` whose subject matches, from the outbox `npm start` keeps (both parts). */
async function mailTo(to: string, subject: RegExp): Promise<{ subject: string; text: string; html: string | null }> {
  const found = (await stack.rehome.ims.outbox.list({ to })).find((m) => subject.test(m.subject));
  assert.ok(found, `a "${subject.source}" mail to ${to}`);
  return found;
}

/** Sign-in pages may first try a silent sign-in (one round trip to the IMS): wait until the page stays. */
async function settle(p: Page): Promise<void> {
  await p.waitForLoadState('networkidle');
}

test('announced: the help page says when, what to do, how to sign in, and names nobody', async () => {
  const plan = await planSubscription(app(), sub());
  await linkProduct(app(), { subscriptionId: sub(), plan, consent: true, actor: 'test:journey' });
  await scheduleUserMigration(app(), { subscriptionId: sub(), date: addDays(localDate(new Date(), plan.timeZone), app().config.migration.minDaysAhead), actor: 'test:journey' });
  await withPage(async (p) => {
    await p.goto(helpUrl());
    assert.equal(await p.locator('h1').innerText(), 'Acme Marketing (production): what changes for you');
    assert.match(await p.locator('#migration-date').innerText(), /^\w+day, \d+ \w+ \d{4}$/);
    const body = await p.locator('main').innerText();
    assert.match(body, /Before the move: verify your email address/);
    assert.match(body, new RegExp(`Choose “${DEMO_BRAND}”`));
    assert.match(body, /Engage will live at http:\/\/127\.0\.0\.1:\d+\/ after the move/);
    assert.match(body, /Bookmarks and report subscriptions/);
    assert.equal(await p.locator('#who-to-ask').innerText(), 'Ask your Engage administrators.');
    for (const name of ADMINS) assert.doesNotMatch(await p.content(), new RegExp(name));
    await shot(p, '01-help-page');
    await accessible(p, 'help page');
    const unknown = await p.goto(`${stack.rehome.url}/help/NO-SUCH-SUBSCRIPTION`);
    assert.equal(unknown?.status(), 404);
    assert.match(await p.locator('[role=alert]').innerText(), /This help page does not exist/);
    await accessible(p, 'help page of an unknown subscription');
  });
});

test('the announcement and the verification mail link the help page; the verification pages do too', async () => {
  const r = await sendComms(app().comms('test:journey'), sub(), { kind: 'due' });
  assert.ok((r.byTemplate.announcement?.sent ?? 0) > 100, 'the announcement went out');
  const mail = await mailTo(stack.logins.user.email, /sign-in moves to Acme ID/);
  assert.ok(mail.text.includes(helpUrl()), 'text part');
  assert.ok(mail.html?.includes(`href="${helpUrl()}"`), 'HTML part');
  const unverified = (await people()).find((u) => u.state === 'needs_email_verification' && !u.admin)!;
  const verification = await mailTo(unverified.email, /verify your email address/i);
  await withPage(async (p) => {
    await p.setContent(mail.html!);
    await shot(p, '02-announcement-mail');
    await accessible(p, 'announcement mail (HTML part)');
    await p.goto(/http:\/\/\S+\/verify-email\?token=\S+/.exec(verification.text)![0]);
    assert.equal(await p.getByRole('link', { name: 'What changes for you, and when' }).getAttribute('href'), helpUrl());
    await shot(p, '03-verify-email');
    await accessible(p, 'verify-email page');
  });
});

test('Engage shows the banner from the announcement: the date, what to do, the help page; dismissed, it stays away in this browser', async () => {
  await withPage(async (p, context) => {
    await p.goto(oldLogin());
    const banner = p.locator('#migration-banner');
    assert.match(await banner.innerText(), /On \w+day, \d+ \w+ \d{4}, Acme Marketing \(production\) moves its sign-in to Acme ID\./);
    assert.match(await banner.innerText(), /verify your email address/);
    assert.equal(await banner.getByRole('link', { name: 'What changes for you' }).getAttribute('href'), helpUrl());
    await shot(p, '04-engage-banner-sign-in');
    await accessible(p, 'Engage sign-in page with the banner');
    await p.fill('#login', stack.logins.user.login);
    await p.fill('#password', stack.logins.password);
    await p.click('form[action$="/login"] button[type=submit]');
    await p.locator('#signed-in-with').waitFor();
    assert.equal(await p.locator('#migration-banner').count(), 1, 'on the home page too');
    await shot(p, '05-engage-banner-home');
    await accessible(p, 'Engage home with the banner');
    await p.getByRole('button', { name: 'Dismiss' }).click();
    await p.locator('#signed-in-with').waitFor();
    assert.equal(await p.locator('#migration-banner').count(), 0, 'dismissed');
    await p.goto(oldLogin());
    assert.equal(await p.locator('#migration-banner').count(), 0, 'remembered in this browser');
    assert.ok((await context.cookies()).some((c) => c.name === 'rehome_banner_dismissed'));
  });
  await withPage(async (p) => {
    await p.goto(oldLogin());
    assert.equal(await p.locator('#migration-banner').count(), 1, 'another browser still sees it');
  });
});

test('the move: admins first (one who cannot move is skipped with the second confirmation), then everyone', async () => {
  await runDemoMigration(stack);
  const stuck = (await people()).filter((u) => u.admin && !['migrated', 'activated', 'skipped'].includes(u.state)).map((u) => u.user_id);
  if (stuck.length > 0) {
    const skip = { subscriptionId: sub(), actor: 'test:journey', action: 'skip' as const, userIds: stuck, reason: 'cannot move yet', confirmAdmins: true };
    await changeUsers(app(), skip);
    await migrateUsers(app(), { subscriptionId: sub(), actor: 'test:journey' });
  }
  const all = await people();
  assert.equal(all.find((u) => u.user_id === stack.logins.user.id)?.state, 'migrated');
  invitee = all.find((u) => !u.admin && u.action === 'invite' && u.state === 'migrated')!;
  assert.ok(invitee, 'someone was invited to set a password');
  // Engage learns the phase from the notice within its cache time (5 minutes); start it afresh rather than wait.
  stack.engage.configureIms({ issuer: stack.issuer, ...DEMO_CLIENT, allowInsecureHttp: true, brandText: DEMO_BRAND, rehomeUrl: stack.rehome.url });
});

test('the invitation names Engage and the subscription, says the button, and "Password set" is a real link back to Engage', async () => {
  const mail = await mailTo(invitee.email, /password/);
  assert.equal(mail.subject, 'Set your Acme ID password for Engage');
  assert.match(mail.text, /Your Acme ID account for Engage \(Acme Marketing \(production\), subscription 123-ABC-456\) is ready/);
  assert.match(mail.text, new RegExp(`choose "${DEMO_BRAND}"`));
  assert.ok(mail.text.includes(helpUrl()) && mail.html?.includes(`href="${helpUrl()}"`), 'both parts link the help page');
  await withPage(async (p) => {
    await p.goto(/http:\/\/\S+\/ims\/account\/invite\?token=\S+/.exec(mail.text)![0]);
    assert.equal(await p.locator('h1').innerText(), 'Set your Acme ID password');
    assert.match(await p.locator('main').innerText(), new RegExp(`Then sign in to Engage \\(Acme Marketing \\(production\\), subscription 123-ABC-456\\) with “${DEMO_BRAND}”`));
    assert.equal(await p.getByRole('link', { name: 'What changes for you, and when' }).getAttribute('href'), helpUrl());
    await shot(p, '06-invitation');
    await accessible(p, 'invitation page');
    await p.fill('#password', INVITEE_PASSWORD);
    await p.click('button[type=submit]');
    await p.locator('h1', { hasText: 'Password set' }).waitFor();
    assert.match(await p.locator('main').innerText(), new RegExp(`Go back to Engage and choose “${DEMO_BRAND}” to sign in`));
    await shot(p, '07-password-set');
    await accessible(p, '"Password set"');
    await p.getByRole('link', { name: 'Go to Engage' }).click();
    await p.waitForURL(engage('/'));
    await settle(p);
    await accessible(p, 'Engage\'s new address, signed out (after a silent sign-in found no IMS session)');
    await p.getByRole('button', { name: DEMO_BRAND }).click();
    await p.waitForURL((u) => u.pathname.startsWith('/ims/'));
    assert.match(await p.locator('main').innerText(), /Sign in with your Acme ID account to continue to Engage\./);
    await p.fill('#email', invitee.email);
    await p.fill('#password', INVITEE_PASSWORD);
    await shot(p, '08-ims-sign-in');
    await accessible(p, 'IMS sign-in page');
    await p.click('button[type=submit]');
    await p.locator('#signed-in-with').waitFor();
    assert.equal(await p.locator(`[data-user-id="${invitee.user_id}"]`).count(), 1);
    assert.equal(await p.locator('#migration-banner').count(), 0, 'their account moved: no banner');
  });
});

test('"Forgot your password?" from Engage\'s sign-in: "Password changed" leads back to Engage', async () => {
  const { user } = stack.logins;
  await withPage(async (p) => {
    await p.goto(oldLogin());
    await settle(p);
    await p.getByRole('button', { name: DEMO_BRAND }).click();
    await p.waitForURL((u) => u.pathname.startsWith('/ims/'));
    await p.getByRole('link', { name: 'Forgot your password?' }).click();
    await p.fill('#email', user.email);
    await p.click('button[type=submit]');
    await p.locator('h1', { hasText: 'Check your email' }).waitFor();
    const mail = await mailTo(user.email, /Reset your Acme ID password/);
    const link = /http:\/\/\S+\/ims\/account\/reset\/confirm\?token=\S+/.exec(mail.text)![0];
    assert.match(link, /&client=engage$/, 'the link remembers where the reset started');
    await p.goto(link);
    await p.fill('#password', ZOE_PASSWORD);
    await p.click('button[type=submit]');
    await p.locator('h1', { hasText: 'Password changed' }).waitFor();
    assert.match(await p.locator('main').innerText(), new RegExp(`Go back to Engage and sign in with “${DEMO_BRAND}” and your new password`));
    await shot(p, '09-password-changed');
    await accessible(p, '"Password changed"');
    await p.getByRole('link', { name: 'Go to Engage' }).click();
    await p.waitForURL(engage('/'));
  });
});

test('an IMS-signed-in person on an old URL lands on the new one without a click; signed in to Engage, they are moved there too', async () => {
  const { user, instance } = stack.logins;
  const visible = visibleReports(stack.engage.db, getUser(stack.engage.db, user.id)!);
  const asset = visible[0]!.id;
  await withPage(async (p, context) => {
    // Sign in once (IMS session and Engage session), then forget Engage's session as a new browser session would.
    await p.goto(engage('/'));
    await settle(p);
    await p.getByRole('button', { name: DEMO_BRAND }).click();
    await p.fill('#email', user.email);
    await p.fill('#password', ZOE_PASSWORD);
    await p.click('button[type=submit]');
    await p.locator('#signed-in-with').waitFor();
    await context.clearCookies({ name: 'engage_session' });
    await context.clearCookies({ name: 'rehome_silent_sign_in' });

    // The old address on Engage's own host: its sign-in page signs them in silently.
    await p.goto(engage(`/app-${instance}/#${asset}`));
    await p.waitForURL(newShell(asset));
    assert.equal(await p.locator('#signed-in-with').innerText(), 'IMS');
    assert.equal(await p.locator('#current-asset').innerText(), asset);

    // Signed in to Engage through the IMS: the old address moves them to the new one, fragment and all.
    await p.goto(engage(`/app-${instance}/#${asset}`));
    await p.waitForURL(newShell(asset));
    await shot(p, '10-old-url-moved');

    // The old host after the cutover (Rehome's redirect service) and a fresh browser session: still no click.
    await context.clearCookies({ name: 'engage_session' });
    await context.clearCookies({ name: 'rehome_silent_sign_in' });
    await p.goto(`${stack.rehome.url}/app-${instance}/#${asset}`);
    await p.waitForURL(newShell(asset));
    assert.equal(await p.locator(`[data-user-id="${user.id}"]`).count(), 1);
  });
});

test('an old deep link to a report the person cannot see says so and where to go, instead of "Asset: none"', async () => {
  const { user } = stack.logins;
  const visible = new Set(visibleReports(stack.engage.db, getUser(stack.engage.db, user.id)!).map((r) => r.id));
  const all = stack.engage.db.sqlite.prepare('SELECT id FROM reports WHERE subscription_id = ? ORDER BY id').all(sub()) as { id: string }[];
  const hidden = all.find((r) => !visible.has(r.id))?.id ?? 'RP9999Z9';
  await withPage(async (p) => {
    await p.goto(engage('/'));
    await settle(p);
    await p.getByRole('button', { name: DEMO_BRAND }).click();
    await p.fill('#email', user.email);
    await p.fill('#password', ZOE_PASSWORD);
    await p.click('button[type=submit]');
    await p.locator('#signed-in-with').waitFor();
    await p.goto(newShell(hidden));
    const alert = p.locator('#asset-missing');
    await alert.waitFor();
    assert.match(await alert.innerText(), new RegExp(`This report is not available to you[\\s\\S]*${hidden}[\\s\\S]*ask your Acme Marketing \\(production\\) administrators`));
    assert.doesNotMatch(await p.locator('main').innerText(), /Asset: none/);
    await shot(p, '11-report-not-available');
    await accessible(p, 'a report the person cannot see');
  });
});

test('an old URL no rule forwards gets a page with Engage\'s new home and the help page, and is logged without identifying anyone', async () => {
  await withPage(async (p) => {
    const response = await p.goto(`${stack.rehome.url}/app-${stack.logins.instance}/reports/12345?token=s3cret`);
    assert.equal(response?.status(), 404);
    assert.equal(await p.locator('h1').innerText(), 'This link has no new address yet');
    assert.equal(await p.locator('#product-home').getAttribute('href'), engage('/'));
    assert.equal(await p.locator('#help-page').getAttribute('href'), helpUrl());
    await shot(p, '12-old-url-unmatched');
    await accessible(p, 'unmatched old URL');
  });
  const log = await (await fetch(`${stack.rehome.url}/redirects/unmatched.json`)).text();
  assert.match(log, new RegExp(`/app-${stack.logins.instance}/reports/\\{n\\}`));
  assert.doesNotMatch(log, /s3cret/);
});
