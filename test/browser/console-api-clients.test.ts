// The console's API clients page in a real browser (Debian's chromium through playwright-core) on a real server: an
// org admin creates a SCIM client (the secret is shown once, on the answer to the form, never again), the secret
// gets a token that works on the SCIM URL, and revoking it ends that token at once; audited, accessible.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { launchBrowser, PROD, seriousA11yViolations, startConsoleWorld, type ConsoleWorld } from './console-harness.ts';

let world: ConsoleWorld;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const base = () => `${world.server.url}/console/s/${PROD}`;
const flash = async () => (await page.locator('#flash').textContent())?.trim() ?? '';

before(async () => {
  [world, browser] = await Promise.all([startConsoleWorld(), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  const link = await createBootstrapLink(world.store, PROD);
  await page.goto(world.server.url + link.path);
  await page.getByRole('button', { name: 'Continue to the console' }).click();
  await page.waitForURL(base());
});

after(async () => {
  await context?.close();
  await browser?.close();
  await world?.close();
});

async function tokenFor(clientId: string, secret: string): Promise<Response> {
  return fetch(`${world.server.url}/ims/admin/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
}

test('API clients: create shows the secret once, the secret gets a SCIM token, revoke ends it; audited and accessible', async () => {
  await page.getByRole('link', { name: 'API clients' }).click();
  await page.waitForURL(`${base()}/api-clients`);
  assert.equal(await page.locator('h1').textContent(), 'API clients');
  assert.match(await page.locator('main').textContent() ?? '', /No API clients yet/);
  assert.match(await page.locator('main').textContent() ?? '', new RegExp(`${world.server.url}/scim/v2`));
  assert.deepEqual(await seriousA11yViolations(page), []);

  await page.getByLabel('Name').fill('Okta provisioning');
  await page.getByRole('button', { name: 'Create client' }).click();
  await page.waitForLoadState();
  assert.match(await flash(), /API client "Okta provisioning" created/);
  const secret = (await page.locator('#client-secret').textContent())!.trim();
  assert.match(secret, /^rhs_/);
  const clientId = (await page.locator('section.secret dd code').first().textContent())!.trim();
  assert.match(await page.locator('table').textContent() ?? '', new RegExp(clientId));
  assert.deepEqual(await seriousA11yViolations(page), []);
  await page.screenshot({ path: new URL('../../docs/screenshots/console-api-clients.png', import.meta.url).pathname, fullPage: true });

  const issued = await tokenFor(clientId, secret);
  assert.equal(issued.status, 200);
  const { access_token: bearer, token_type: type } = await issued.json() as { access_token: string; token_type: string };
  assert.equal(type, 'Bearer');
  const scim = () => fetch(`${world.server.url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${bearer}` } });
  assert.equal((await scim()).status, 200);

  // A GET of the page never shows the secret again (it was never stored to be shown).
  await page.goto(`${base()}/api-clients`);
  assert.doesNotMatch(await page.content(), new RegExp(secret));

  await page.getByRole('button', { name: 'Revoke Okta provisioning' }).click();
  await page.waitForURL(`${base()}/api-clients`);
  assert.match(await flash(), /revoked/);
  assert.match(await page.locator('table').textContent() ?? '', /Revoked/);
  assert.equal((await scim()).status, 401, 'the revoked client\'s token stops at once');

  const audit = await world.store.listAudit();
  const created = audit.find((e) => e.action === 'ims:client_created' && e.target === clientId);
  assert.ok(created?.actor.startsWith('admin:bootstrap:'), 'the console admin who created it');
  assert.ok(audit.some((e) => e.action === 'ims:client_revoked' && e.target === clientId));
  assert.doesNotMatch(JSON.stringify(audit), new RegExp(secret));
});

test('API clients: another org\'s client cannot be revoked from this subscription', async () => {
  const { createImsClient, createImsOrg } = await import('../../src/app/actions/index.ts');
  const other = await createImsOrg(world.server.app, { name: 'Other org', actor: 'cli:test' });
  const foreign = await createImsClient(world.server.app, { orgId: other.id, name: 'Foreign', actor: 'cli:test' });
  // The form as a tampering admin would send it: this subscription's session and CSRF token, another org's client.
  const csrf = await page.locator('input[name="csrf"]').first().getAttribute('value');
  const response = await page.request.post(`${base()}/api-clients/action`, { form: { csrf: csrf!, action: 'revoke', client: foreign.clientId }, headers: { origin: world.server.url } });
  assert.equal(response.status(), 200);
  assert.match(await response.text(), /No such API client in this organization/);
  assert.equal((await tokenFor(foreign.clientId, foreign.clientSecret)).status, 200, 'still active');
});

test('API clients: a long-lived token for Okta or Entra ID is shown once, works on SCIM, and "New token" replaces it', async () => {
  await page.goto(`${base()}/api-clients`);
  await page.getByLabel('Name').fill('Entra ID provisioning');
  await page.getByLabel('Also issue a long-lived token').check();
  await page.getByRole('button', { name: 'Create client' }).click();
  await page.waitForLoadState();
  assert.match(await flash(), /Copy its secret and its token now/);
  const first = (await page.locator('#bearer-token').textContent())!.trim();
  assert.match(first, /^rht_/);
  assert.match(await page.locator('section.secret').textContent() ?? '', /Secret Token/);
  assert.deepEqual(await seriousA11yViolations(page), []);
  const users = (bearer: string) => fetch(`${world.server.url}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${bearer}` } });
  assert.equal((await users(first)).status, 200, 'pasted as is, with no token request');

  await page.goto(`${base()}/api-clients`);
  assert.doesNotMatch(await page.content(), new RegExp(first), 'never shown again');
  assert.match(await page.locator('table').textContent() ?? '', /Expires/);
  await page.getByRole('button', { name: 'New token for Entra ID provisioning' }).click();
  await page.waitForLoadState();
  const second = (await page.locator('#bearer-token').textContent())!.trim();
  assert.notEqual(second, first);
  await page.screenshot({ path: new URL('../../docs/screenshots/console-api-clients-token.png', import.meta.url).pathname, fullPage: true });
  assert.equal((await users(first)).status, 401, 'the previous token stops at once');
  assert.equal((await users(second)).status, 200);
  const audit = await world.store.listAudit();
  assert.equal(audit.filter((e) => e.action === 'ims:client_token_issued').length, 2);
  assert.doesNotMatch(JSON.stringify(audit), /rht_/);
});
