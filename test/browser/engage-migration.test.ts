// The whole story in a real browser (Debian's chromium through playwright-core), on the `npm start` stack: a user
// signs in to Engage with a password; the migration runs for real (plan, phase 1, schedule, every user, each link
// and cutover written through Engage's REST API, invitations mailed to the IMS outbox); the same user accepts the
// invitation, presses "Continue with IMS" and lands on the new URL with the same workspaces; an old bookmark goes
// to the right new page with its fragment; the password form refuses the migrated user; an API-only user still
// gets an API token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { runDemoMigration } from '../../src/demo/demo-migration.ts';
import { DEMO_BRAND, startDemoStack, type DemoStack } from '../../src/demo/demo-stack.ts';
import { getIdentityLink } from '../../examples/engage/src/auth/identity-links.ts';
import { getUser } from '../../examples/engage/src/users/user-records.ts';

const IMS_PASSWORD = 'my-new-ims-password-2026';
let dir: string;
let stack: DemoStack;
let browser: Browser;
let accessBefore: string[][];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rehome-browser-engage-'));
  stack = await startDemoStack({ dir, rehomePort: 0, engagePort: 0 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const engage = (path: string): string => `${stack.engage.url}${path}`;
const newShell = (asset = ''): string => engage(`/#/@acme/so:${stack.logins.subscriptionId}/engage/${asset}`);

async function accessTable(page: Page): Promise<string[][]> {
  return page.locator('#access tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

async function passwordSignIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto(engage(`/app-${stack.logins.instance}/login`));
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('form[action$="/login"] button[type=submit]');
}

async function withContext<T>(work: (context: BrowserContext, page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    return await work(context, await context.newPage());
  } finally {
    await context.close();
  }
}

test('before the cutover: the user signs in with a password at the old URL and sees their workspaces', () => withContext(async (_c, page) => {
  const { user, password, instance } = stack.logins;
  await page.goto(engage(`/app-${instance}/`));
  assert.equal(page.url(), engage(`/app-${instance}/login`), 'signed out: the old home sends to its sign-in page');
  assert.equal(await page.locator('button.ims').innerText(), DEMO_BRAND, 'the IMS button is offered next to the password form');
  await passwordSignIn(page, user.login, password);
  await page.waitForURL(engage(`/app-${instance}/`));
  assert.equal(await page.locator('#signed-in-with').innerText(), 'password');
  accessBefore = await accessTable(page);
  assert.ok(accessBefore.length > 1, 'the demo user has several workspaces');
}));

test('the migration runs for real: links and cutovers are written through Engage\'s REST API', async () => {
  const r = await runDemoMigration(stack);
  assert.equal(r.users.failed, 0);
  assert.ok(r.users.migrated > 100, `migrated ${r.users.migrated}`);
  const planned = r.plan.users.find((u) => u.userId === stack.logins.user.id)!;
  assert.equal(planned.action, 'link', 'the demo user\'s existing verified IMS account is linked, not duplicated');
  const link = getIdentityLink(stack.engage.db, stack.logins.user.id);
  assert.equal(link?.issuer, stack.issuer);
  assert.equal(getUser(stack.engage.db, stack.logins.user.id)?.loginMode, 'ims', 'cut over: IMS only');
  assert.equal(getUser(stack.engage.db, stack.logins.apiOnly.id)?.loginMode, 'api_only', 'API-only users stay local');
});

test('after it: the user accepts the invitation from the outbox, continues with IMS and lands on the new URL with the same workspaces', () => withContext(async (_c, page) => {
  const { user, instance } = stack.logins;
  const mails = await stack.rehome.ims.outbox.list({ to: user.email });
  const invitation = mails.map((m) => /https?:\/\/\S+\/ims\/account\/invite\?token=[^\s"<]+/.exec(m.text)?.[0]).find(Boolean);
  assert.ok(invitation, 'an invitation to set an IMS password is in the outbox');
  await page.goto(invitation);
  await page.fill('#password', IMS_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  assert.doesNotMatch(await page.locator('body').innerText(), /no longer valid|error/i);

  // From an old deep link's sign-in page: the fragment rides along through the IMS round trip.
  await page.goto(engage(`/app-${instance}/login#RP1200A1`));
  await page.click('button.ims');
  await page.waitForURL((u) => u.pathname.startsWith('/ims/'));
  await page.fill('#email', user.email);
  await page.fill('#password', IMS_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(newShell('RP1200A1'));
  assert.equal(await page.locator('#signed-in-with').innerText(), 'IMS');
  assert.equal(await page.locator(`[data-user-id="${user.id}"]`).count(), 1, 'signed in as the same product user');
  assert.deepEqual(await accessTable(page), accessBefore, 'same workspaces, partitions and roles');
  assert.equal(getIdentityLink(stack.engage.db, user.id)?.firstSignInAt !== null, true, 'first IMS sign-in recorded');

  // An old bookmark: after the cutover the old host answers through Rehome's redirect service.
  const bookmark = (stack.engage.db.sqlite.prepare("SELECT url FROM bookmarks WHERE url LIKE ? ORDER BY id LIMIT 1").get(`${stack.engage.url}/app-%#%`) as { url: string }).url;
  const asset = bookmark.split('#')[1]!;
  await page.route((u) => u.origin === stack.engage.url && u.pathname === `/app-${instance}/`, async (route) => {
    const answer = await route.fetch({ url: `${stack.rehome.url}/app-${instance}/` });
    await route.fulfill({ response: answer });
  });
  await page.goto(bookmark);
  await page.waitForURL(newShell(asset));
  assert.equal(await page.locator('#current-asset').innerText(), asset, 'the new page opens at the bookmarked asset');
}));

test('the password form refuses the migrated user with the message that names the IMS button', () => withContext(async (_c, page) => {
  await passwordSignIn(page, stack.logins.user.login, stack.logins.password);
  const alert = page.locator('[role=alert]');
  await alert.waitFor();
  assert.match(await alert.innerText(), new RegExp(`Your account has moved to the company sign-in\\. Choose "${DEMO_BRAND}"`));
  assert.equal(await page.locator('button.ims').count(), 1, 'the refusal offers the IMS button');
  assert.ok(page.url().endsWith('/login'));
}));

test('an API-only user still gets an API token after the move', async () => {
  const { clientId, clientSecret, id } = stack.logins.apiOnly;
  const token = await fetch(engage('/api/token'), { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) });
  assert.equal(token.status, 200);
  const { access_token: accessToken } = await token.json() as { access_token: string };
  const who = await fetch(engage('/api/v1/whoami'), { headers: { authorization: `Bearer ${accessToken}` } });
  assert.equal(who.status, 200);
  assert.equal((await who.json() as { userId: string }).userId, id);
});
