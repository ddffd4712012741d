// The console's boundaries on the server as `rehome serve` mounts it (startRehomeServer): per-subscription
// authorisation (404, not 403), CSRF on every POST, cross-origin refusal, one-time bootstrap links, cookie
// attributes, and sign-in through the IMS in a real browser for two admins of two subscriptions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { ConsoleError } from '../../src/console/console-error.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { scheduleMigration } from '../../src/engine/admin-actions.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';
import { migrationDb, requireMigration } from '../../src/engine/migration-repo.ts';
import { runUserPhase } from '../../src/engine/user-phase.ts';
import { givePassword, launchBrowser, PROD, SANDBOX, startConsoleWorld, type ConsoleWorld } from './console-harness.ts';

let world: ConsoleWorld;
let browser: Browser;

before(async () => {
  [world, browser] = await Promise.all([startConsoleWorld(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await world?.close();
});

/** A bootstrap session through plain HTTP: returns its cookie and a CSRF token from a page. */
async function bootstrapSession(subscriptionId: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const link = await createBootstrapLink(world.store, subscriptionId);
  const token = new URL(link.path, 'http://x').searchParams.get('token')!;
  const r = await fetch(`${world.server.url}/console/bootstrap`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
  assert.equal(r.status, 303);
  const setCookie = r.headers.getSetCookie().find((c) => c.startsWith('rehome_console='))!;
  const cookie = setCookie.split(';')[0]!;
  const page = await (await fetch(`${world.server.url}/console/s/${subscriptionId}`, { headers: { cookie } })).text();
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]!, setCookie };
}

const post = (path: string, s: { cookie: string }, body: string, headers: Record<string, string> = {}) =>
  fetch(`${world.server.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

test('bootstrap sessions: secure cookie, bound to one subscription, the other answers 404 like a missing one', async () => {
  const s = await bootstrapSession(PROD);
  assert.match(s.setCookie, /HttpOnly/);
  assert.match(s.setCookie, /SameSite=Lax/);
  assert.match(s.setCookie, /Path=\/console/);
  for (const path of [`/console/s/${SANDBOX}`, `/console/s/${SANDBOX}/users`, `/console/s/${SANDBOX}/audit.csv`, `/console/s/${SANDBOX}/events`, '/console/s/NOPE/status']) {
    const r = await fetch(`${world.server.url}${path}`, { headers: { cookie: s.cookie } });
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(await r.text(), /sandbox/i, `${path} names nothing of the other subscription`);
  }
  const refused = await post(`/console/s/${SANDBOX}/extend`, s, `csrf=${s.csrf}`);
  assert.equal(refused.status, 404, 'actions on another subscription are 404 too');
  const anonymous = await fetch(`${world.server.url}/console/s/${PROD}/status`);
  assert.equal(anonymous.status, 401);
  assert.doesNotMatch(await anonymous.text(), /Acme Marketing/, 'signed out, nothing about the subscription shows');
});

test('every POST needs the session CSRF token; a cross-origin POST is refused even with it', async () => {
  const s = await bootstrapSession(PROD);
  const date = addDays(localDate(new Date(), 'America/Los_Angeles'), 10);
  assert.equal((await post(`/console/s/${PROD}/schedule`, s, `date=${date}`)).status, 403);
  assert.equal((await post(`/console/s/${PROD}/schedule`, s, `date=${date}&csrf=wrong-token-${'x'.repeat(30)}`)).status, 403);
  assert.equal((await post(`/console/s/${PROD}/schedule`, s, `date=${date}&csrf=${s.csrf}`, { origin: 'https://evil.example' })).status, 403);
  assert.equal((await post('/console/logout', s, 'csrf=nope')).status, 403, 'logout too');
  assert.equal((await requireMigration(migrationDb(world.store.kysely), PROD)).state, 'product_linked', 'nothing happened');
  const ok = await post(`/console/s/${PROD}/schedule`, s, `date=${date}&csrf=${s.csrf}`, { origin: world.server.url });
  assert.equal(ok.status, 303);
  assert.equal((await requireMigration(migrationDb(world.store.kysely), PROD)).state, 'users_scheduled');
});

test('bootstrap links are single use, expire, and are refused once an admin has migrated', async () => {
  const link = await createBootstrapLink(world.store, SANDBOX, { ttlHours: 1, now: new Date(Date.now() - 2 * 3600_000) });
  const token = new URL(link.path, 'http://x').searchParams.get('token')!;
  const r = await fetch(`${world.server.url}/console/bootstrap`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
  assert.equal(r.status, 400, 'expired');
  // Migrate the sandbox's admin 9001 (Tim) only; the production admin 1001 (Ada) only in production.
  for (const [sub, user] of [[SANDBOX, '9001'], [PROD, '1001']] as const) {
    const m = await requireMigration(migrationDb(world.store.kysely), sub);
    const ports = embeddedEnginePorts({ store: world.store, orgId: m.org_id!, issuer: `${world.server.url}/ims`, actor: 'cli:test' });
    if (m.state === 'product_linked') await scheduleMigration(ports, sub, addDays(localDate(new Date(), 'America/Los_Angeles'), 9));
    const result = await runUserPhase({ subscriptionId: sub, userIds: [user] }, ports);
    assert.equal(result.migrated, 1);
  }
  await assert.rejects(createBootstrapLink(world.store, SANDBOX), (e: ConsoleError) => e.code === 'bootstrap_not_needed');
});

test('two admins of two subscriptions sign in through the IMS and each sees only their own; an org admin sees both', async () => {
  const ada = await givePassword(world.store, PROD, '1001', 'ada-password-0123456789');
  const tim = await givePassword(world.store, SANDBOX, '9001', 'tim-password-0123456789');
  for (const [who, password, mine, theirs] of [[ada, 'ada-password-0123456789', PROD, SANDBOX], [tim, 'tim-password-0123456789', SANDBOX, PROD]] as const) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${world.server.url}/console/`);
    await page.getByRole('link', { name: 'Sign in with the IMS' }).click();
    await page.locator('#email').fill(who.email);
    await page.locator('#password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${world.server.url}/console/`);
    const listed = await page.locator('ul.subs li').allTextContents();
    assert.equal(listed.length, 1, `${who.email} sees one subscription`);
    assert.match(listed[0]!, new RegExp(mine));
    assert.equal((await page.goto(`${world.server.url}/console/s/${mine}/status`))?.status(), 200);
    assert.equal((await page.goto(`${world.server.url}/console/s/${theirs}/status`))?.status(), 404);
    await context.close();
  }
  const signIns = await world.store.listAudit({ action: 'console:signed_in' });
  assert.ok(signIns.some((e) => e.actor === `admin:${ada.subject}`) && signIns.some((e) => e.actor === `admin:${tim.subject}`));
  // An admin of the IMS organization administers every subscription moving into it.
  const m = await requireMigration(migrationDb(world.store.kysely), PROD);
  await world.server.ims.directory.addOrgAdmin(m.org_id!, tim.subject);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${world.server.url}/console/login?return_to=/console/`);
  await page.locator('#email').fill(tim.email);
  await page.locator('#password').fill('tim-password-0123456789');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${world.server.url}/console/`);
  assert.equal(await page.locator('ul.subs li').count(), 2);
  await context.close();
});

test('a callback without the pending sign-in (forged or replayed) opens no session', async () => {
  const r = await fetch(`${world.server.url}/console/callback?code=abc&state=xyz`, { redirect: 'manual' });
  assert.equal(r.status, 400);
  assert.equal(r.headers.getSetCookie().some((c) => c.startsWith('rehome_console=') && !c.startsWith('rehome_console=;')), false);
});
