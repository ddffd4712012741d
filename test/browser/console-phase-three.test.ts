// The Support & links tab in a real browser (Debian's chromium through playwright-core) on the composed server, with
// the product's Rehome API configured (a small stand-in that holds the ticket read until the test lets it go, so
// the bar is seen moving) and the redirect service's URL rules: the ticket move refused before the confirmation,
// then run with live progress over server-sent events and its counts; the link rewrite's dry run (the old link no
// rule matches first), Apply with its two confirmations, written through the product's API; the access check with
// the lost access first; a bad upload listed line by line; the downloads. axe-core on every state; screenshots in
// docs/screenshots/console-phase3-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openStore, type StoreAdapter } from '../../src/app/rehome-store.ts';
import { buildConfig } from '../../src/config/config.ts';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import type { ProductLink } from '../../src/ports/product-source.ts';
import { startRehomeServer, type RehomeServer } from '../../src/server/rehome-server.ts';
import { ACME, acmeFile, migrateAcme } from '../support/migrated-subscription.ts';
import { launchBrowser, seriousA11yViolations } from './console-harness.ts';

const SHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname;
let dir: string;
let store: StoreAdapter;
let server: RehomeServer;
let product: Server;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let confirm: () => Promise<void>;

/** The product's stored links, as its API holds them; the ticket read waits for `releaseTickets`. */
const links: ProductLink[] = [
  { kind: 'bookmark', id: 'b1', field: 'url', text: 'http://old.example/app-ab12/#RP1234A1' },
  { kind: 'bookmark', id: 'b2', field: 'url', text: 'http://old.example/app-ab12/settings' },
  { kind: 'email_template', id: 't1', field: 'html', text: '<a href="http://old.example/app-ab12/#RP9">Weekly report</a>' },
  { kind: 'report_subscription', id: 'r1', field: 'body', text: 'See http://old.example/app-ab12/#RP77 every Monday.' },
];
let releaseTickets!: () => void;
const ticketsReleased = new Promise<void>((resolve) => { releaseTickets = resolve; });
let ticketReads = 0;

/** A stand-in for the product's Rehome API (docs/product-kit.md): `{ items, next }` pages, PATCH of a link's text. */
function startProduct(): Promise<Server> {
  const users = readProductUsers(acmeFile('users.csv'));
  // After the move one user's access lost a grant: the check must put them first.
  const lost = users.find((u) => u.access.length > 1)!;
  const access = users.map((u) => ({ userId: u.id, access: u.id === lost.id ? u.access.slice(1) : u.access }));
  const tickets = readFileSync(acmeFile('tickets.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const s = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(`/api/subscriptions/${ACME}`, '');
    const send = (body: unknown) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(body)); };
    if (req.method === 'GET' && path === '/tickets') {
      ticketReads++;
      await ticketsReleased;
      return send({ items: tickets, next: null });
    }
    if (req.method === 'GET' && path === '/links') return send({ items: links, next: null });
    if (req.method === 'GET' && path === '/users') return send({ items: users, next: null });
    if (req.method === 'GET' && path === '/access') return send({ items: access, next: null });
    if (req.method === 'PATCH' && path.startsWith('/links/')) {
      let body = '';
      for await (const chunk of req) body += chunk;
      const { text, expectedText } = JSON.parse(body) as { text: string; expectedText: string };
      const link = links.find((l) => l.id === decodeURIComponent(path.slice('/links/'.length)))!;
      if (link.text !== expectedText && link.text !== text) { res.statusCode = 409; return send({ error: 'conflict' }); }
      link.text = text;
      return send(link);
    }
    res.statusCode = 404;
    send({ error: 'not_found' });
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'rehome-phase3-browser-'));
  writeFileSync(join(dir, 'url-rules.json'), JSON.stringify({ allowedHosts: ['new.example'], rules: [
    { id: 'engage-assets', match: { hosts: ['old.example'], path: '/app-ab12/', fragment: '{asset}' }, target: 'https://new.example/#/@acme/so:123-ABC-456/engage/{capture.asset}' },
  ] }));
  writeFileSync(join(dir, 'tickets-bad.jsonl'), [
    '{"id":"SR-1","subject":"ok","submitter":"1001","status":"open","created":"2026-09-01T00:00:00Z","messages":[]}',
    '{"id":"SR-2","subject":"bad","submitter":"1001","status":"reopened","created":"2026-09-01T00:00:00Z","messages":[]}',
    '{"id":"SR-3","subject":"bad","submitter":"1001","status":"open","created":"yesterday","messages":[{"author":"1001","at":"2026-09-01","body":"x","mood":"sad"}]}',
  ].join('\n'));
  product = await startProduct();
  const productUrl = `http://127.0.0.1:${(product.address() as { port: number }).port}/api`;
  store = await openStore({ kind: 'sqlite', path: ':memory:' });
  const config = buildConfig({
    env: { REHOME_IMS_COOKIE_KEYS: 'phase3-browser-cookie-key-0123456789abcdef', REHOME_IMS_LINK_SECRET: 'phase3-browser-link-secret-0123456789abcdef' },
    flags: {
      'store.kind': 'sqlite', 'store.path': ':memory:', 'server.port': 0, 'server.logLevel': 'warn', 'comms.productUrl': 'https://new.example/',
      'product.url': productUrl, 'product.token': 'phase3-product-token-0123456789', 'redirects.rulesFile': join(dir, 'url-rules.json'),
    },
  });
  [server, browser] = await Promise.all([startRehomeServer({ config, store, port: 0 }), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  // "Apply the rewrite" asks once more (data-confirm): the admin says yes.
  page.on('dialog', (d) => void d.accept());
});

after(async () => {
  releaseTickets?.();
  await context?.close();
  await browser?.close();
  await server?.close();
  await store?.[Symbol.asyncDispose]();
  product?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const support = () => `${server.url}/console/s/${ACME}/support`;
const section = (id: 'tickets' | 'links' | 'access') => page.locator(`section[aria-labelledby="${id}-h"]`);
const flash = async () => (await page.locator('#flash').textContent())?.trim() ?? '';
async function expectAccessible(label: string): Promise<void> {
  assert.deepEqual(await seriousA11yViolations(page), [], `${label}: no serious or critical axe violations`);
}
async function shot(name: string, part?: 'tickets' | 'links' | 'access'): Promise<void> {
  await (part ? section(part) : page).screenshot({ path: `${SHOTS}console-phase3-${name}.png`, ...(part ? {} : { fullPage: true }) });
}

test('before the confirmation the ticket move waits, and the engine refuses it if pressed anyway', async () => {
  // The first admin opens the console with the bootstrap link, before anybody has migrated.
  const link = await createBootstrapLink(store, ACME);
  await page.goto(server.url + link.path);
  await page.getByRole('button', { name: 'Continue to the console' }).click();
  await page.waitForURL(`${server.url}/console/s/${ACME}`);
  confirm = await migrateAcme(store);
  await page.goto(support());
  assert.equal(await page.locator('h1').textContent(), 'Support tickets and links');
  const move = section('tickets').getByRole('button', { name: 'Move support tickets' });
  assert.equal(await move.isDisabled(), true);
  assert.match(await section('tickets').textContent() ?? '', /Enabled once the migration is confirmed/);
  assert.equal(await page.getByLabel('The product (its Rehome API)').first().isChecked(), true, 'the product is read by default');
  assert.match(await section('links').textContent() ?? '', /URL rules: the redirect service's, url-rules\.json\./);
  await expectAccessible('Support & links before the confirmation');
  await shot('before-confirmation');
  // Pressed anyway (a stale page): the engine's refusal, in the console's words.
  await page.evaluate(() => { for (const b of document.querySelectorAll('button[disabled]')) b.removeAttribute('disabled'); });
  await move.click();
  await page.waitForURL(/\/support/);
  assert.match(await flash(), /^Support tickets move once the migration is confirmed \(Complete Migration\).*Where the migration stands: /);
  assert.equal(await page.locator('#flash').getAttribute('data-code'), 'transition_refused');
  assert.equal(ticketReads, 0, 'nothing was read or moved');
});

test('moving the tickets: a live progress bar, then the reconciliation counts and the downloads', async () => {
  await confirm();
  await page.goto(support());
  await section('tickets').getByRole('button', { name: 'Move support tickets' }).click();
  // The product holds the tickets back: the page answers with the job running and its bar.
  await page.waitForURL(/\/support#tickets-h$/);
  assert.match(await flash(), /^Moving support tickets: the progress shows below\./);
  const bar = section('tickets').locator('progress[data-live-bar="task-tickets"]');
  assert.equal(await bar.isVisible(), true);
  assert.equal(await page.locator('main').getAttribute('data-events'), `/console/s/${ACME}/events`);
  await expectAccessible('ticket move in progress');
  await shot('tickets-progress', 'tickets');
  releaseTickets();
  // The live view (server-sent events) says when it has ended and offers the result.
  const ended = section('tickets').getByRole('link', { name: 'Show the result' });
  await ended.waitFor({ state: 'visible' });
  assert.match(await section('tickets').locator('[role=status]').textContent() ?? '', /Support tickets moved\./);
  assert.equal(await bar.isVisible(), false);
  await ended.click();
  const counts = await section('tickets').locator('#ticket-counts').innerText();
  assert.match(counts, /60\s+tickets in/);
  assert.match(counts, /60\s+moved by this run/);
  assert.match(counts, /0\s+already moved before/);
  assert.match(counts, /0\s+failed \(not stored\)/);
  assert.match(await section('tickets').textContent() ?? '', /the counts reconcile/);
  await expectAccessible('tickets moved');
  await shot('tickets', 'tickets');
  const [download] = await Promise.all([page.waitForEvent('download'), section('tickets').getByRole('link', { name: /Download CSV/ }).click()]);
  assert.equal(download.suggestedFilename(), `tickets-${ACME}.csv`);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  assert.equal(csv.length, 61);
  assert.match(csv.slice(1).join('\n'), /,admin_fallback,skipped,/);
});

test('a bad tickets file: every problem with its line and column, nothing moved', async () => {
  await page.goto(support());
  await section('tickets').getByLabel('A file (below)').check();
  await section('tickets').getByLabel('Tickets export').setInputFiles(join(dir, 'tickets-bad.jsonl'));
  await section('tickets').getByRole('button', { name: 'Move support tickets again' }).click();
  await page.locator('#tickets-problems').waitFor();
  assert.match(await flash(), /^The file has problems, listed under Support tickets: nothing was changed\./);
  const problems = await page.locator('#tickets-problems li').allInnerTexts();
  assert.deepEqual(problems.map((p) => p.split(':').slice(0, 3).join(':')), ['tickets-bad.jsonl:2:58', 'tickets-bad.jsonl:3:75', 'tickets-bad.jsonl:3:152']);
  assert.match(problems[0]!, /status: expected open, pending, solved or closed, got "reopened"/);
  await expectAccessible('problems of an upload');
  await shot('problems', 'tickets');
});

test('rewriting the stored links: a dry run with the unmatched link first, then Apply, written through the product', async () => {
  await page.goto(support());
  await section('links').getByRole('button', { name: 'Dry run' }).click();
  await page.waitForURL(/\/support#links-h$/);
  assert.match(await flash(), /^Dry run done: 3 stored links would change\./);
  const rows = await section('links').locator('tbody tr').allInnerTexts();
  assert.match(rows[0]!, /bookmark b2[\s\S]*http:\/\/old\.example\/app-ab12\/settings[\s\S]*No rule matches/);
  assert.equal(await section('links').locator('tbody tr').first().getAttribute('class'), 'loss');
  assert.ok(rows.slice(1).every((r) => /Would be rewritten/.test(r)));
  assert.equal(links.find((l) => l.id === 'b1')!.text, 'http://old.example/app-ab12/#RP1234A1', 'a dry run writes nothing');
  await expectAccessible('link rewrite dry run');
  await shot('links-dry-run', 'links');
  // Apply needs the box ticked (the browser says so) and then a yes to the prompt.
  const apply = section('links').getByRole('button', { name: 'Apply the rewrite' });
  await apply.click();
  assert.equal(page.url().endsWith('#links-h'), true, 'not submitted without the box');
  await section('links').getByLabel(/I have checked the changes below/).check();
  await apply.click();
  await page.waitForURL(/\/support#links-h$/);
  await page.getByText(/^Stored links rewritten: 3 written\.$/).waitFor();
  assert.deepEqual(links.map((l) => l.text), [
    'https://new.example/#/@acme/so:123-ABC-456/engage/RP1234A1',
    'http://old.example/app-ab12/settings',
    '<a href="https://new.example/#/@acme/so:123-ABC-456/engage/RP9">Weekly report</a>',
    'See https://new.example/#/@acme/so:123-ABC-456/engage/RP77 every Monday.',
  ]);
  assert.match(await section('links').locator('h3').first().textContent() ?? '', /Applied: 3 stored links rewritten/);
  await expectAccessible('link rewrite applied');
  await shot('links-applied', 'links');
  const [download] = await Promise.all([page.waitForEvent('download'), section('links').getByRole('link', { name: /Download JSON/ }).click()]);
  assert.equal(JSON.parse(readFileSync(await download.path(), 'utf8')).appliedCounts.written, 3);
});

test('checking access before (the import) and after (the product now): the lost access first', async () => {
  await page.goto(support());
  await section('access').getByRole('button', { name: 'Check access' }).click();
  await page.waitForURL(/\/support#access-h$/);
  assert.match(await flash(), /^1 user lost access: they are listed first below\./);
  const first = section('access').locator('tbody tr').first();
  assert.equal(await first.getAttribute('class'), 'loss');
  assert.match(await first.innerText(), /Lost access[\s\S]*Lost /);
  await expectAccessible('access check');
  await shot('access', 'access');
  await shot('page');
});

test('readable at 375 px with every report on it: the page does not scroll sideways', async () => {
  const narrow = await context.newPage();
  await narrow.setViewportSize({ width: 375, height: 800 });
  await narrow.goto(support());
  assert.ok(await narrow.evaluate(() => document.documentElement.scrollWidth) <= 375);
  assert.deepEqual(await seriousA11yViolations(narrow), [], 'Support & links at 375 px');
  await narrow.close();
});
