// "What changes for me" (issue 13 item 4) on the server `rehome serve` composes: /help/<subscription> and its JSON
// for the product's banner, through the migration's states, without naming anyone; and every mail of the
// communication plan, sent over real SMTP to a loopback smtp-server and read back with mailparser, has a plain-text
// and an HTML part that both link that page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { buildConfig } from '../../src/config/config.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { TEMPLATE_NAMES } from '../../src/core/comms/templates.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { runUserPhase } from '../../src/engine/user-phase.ts';
import { scheduleMigration } from '../../src/engine/admin-actions.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { createSmtpMailer } from '../../src/mail/smtp-mailer.ts';
import { startRehomeServer, type RehomeServer } from '../../src/server/rehome-server.ts';
import { commsDepsFrom } from '../../src/app/comms-wiring.ts';
import { sendComms } from '../../src/comms/send-comms.ts';
import type { Mailer } from '../../src/mail/mailer.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';
import { sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';

const ex = (f: string) => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;
const SECRET = 'help-test-link-secret-0123456789abcdef0123';
const PRODUCT_URL = 'https://engage.acme.example/';
const SUB = '123-ABC-456';
const clock = new Date('2026-11-25T12:00:00Z');
const now = () => clock;
const FLAGS = { 'comms.productUrl': PRODUCT_URL, 'comms.productName': 'Engage', 'ims.productName': 'Acme ID', 'ims.brandText': 'Continue with Acme ID', 'server.logLevel': 'warn' } as const;

let database: TestDatabase;
let store: StoreAdapter;
let smtp: SMTPServer;
let smtpMailer: Mailer & { close(): void };
let server: RehomeServer;
const received: ParsedMail[] = [];
/** Admin names of the example subscription: the public page must never show them. */
const ADMINS = ['Ada Hopper', 'Tim Nørgaard', 'Ken Lamarr'];

const help = (path = '') => fetch(`${server.url}/help/${SUB}${path}`);

before(async () => {
  database = sqliteTestDatabase('help-page');
  store = await database.open();
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'],
    onData(stream, _s, cb) { simpleParser(stream).then((m) => { received.push(m); cb(); }, cb); },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpMailer = createSmtpMailer(store.kysely, { host: '127.0.0.1', port: (smtp.server.address() as AddressInfo).port, from: '"Acme" <no-reply@acme.example>' });
  server = await startRehomeServer({
    host: '127.0.0.1', port: 0, store, now,
    config: buildConfig({ env: { REHOME_IMS_LINK_SECRET: SECRET, REHOME_IMS_COOKIE_KEYS: 'help-test-cookie-key-0123456789abcdef0123' }, flags: FLAGS }),
  });
  const sub = readSubscription(ex('subscription.json'));
  const accounts = readImsDirectory(ex('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains });
  await store.saveSnapshot({ subscription: sub, users: readProductUsers(ex('users.csv')), ims: { accounts }, sources: {}, at: clock.toISOString() });
  await seedDirectoryFromExport(createStoreImsDirectory(store), accounts, sub.imsOrg);
});

after(async () => {
  await server.close();
  smtpMailer.close();
  await new Promise<void>((r) => smtp.close(() => r()));
  await store[Symbol.asyncDispose]();
  await database.drop();
});

const ports = () => embeddedEnginePorts({ store, orgId: 'A1B2C3D4E5F6A7B8C9D0E1F2@AdobeOrg', issuer: `${server.url}/ims`, actor: 'test', now });

test('an unknown subscription gets the general story and a 404, page and JSON alike', async () => {
  const page = await help();
  assert.equal(page.status, 404);
  assert.match(await page.text(), /This help page does not exist/);
  assert.equal((await help('/notice.json')).status, 404);
  assert.equal((await fetch(`${server.url}/help/..%2Fconsole`)).status, 404, 'no other path is reachable through it');
});

test('before a date is set: no date, how to sign in afterwards, who to ask in general', async () => {
  const snapshot = (await store.loadSnapshot({ subscriptionId: SUB }))!;
  const plan = planMigration({ snapshot, passwordStrategy: 'invite', orgExists: true });
  plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
  await applyProductPhase(plan, ports(), { consent: true });
  const page = await help();
  assert.equal(page.status, 200);
  const body = await page.text();
  assert.match(body, /<title>Acme Marketing \(production\): what changes for you – Engage<\/title>/, 'in the product\'s name');
  assert.match(body, /No date is set yet/);
  assert.match(body, /Choose <strong>“Continue with Acme ID”<\/strong>/);
  assert.match(body, /Ask your Engage administrators\./);
  const notice = await (await help('/notice.json')).json() as { phase: string; dateText: string | null };
  assert.deepEqual([notice.phase, notice.dateText], ['not_announced', null]);
});

test('once scheduled: the date in the subscription\'s time zone, what to do before, the new address, bookmarks, and no person named', async () => {
  await scheduleMigration(ports(), SUB, '2026-12-05');
  const page = await help();
  const body = await page.text();
  assert.equal(page.headers.get('content-security-policy')?.includes("default-src 'none'"), true);
  assert.match(body, /moves its sign-in to Acme ID, the company-wide sign-in, on\s+<strong id="migration-date">Saturday, 5 December 2026<\/strong>/);
  assert.match(body, /starts at 5 December 2026 at 00:00 GMT-8 \(time zone America\/Los_Angeles\)/);
  assert.match(body, /Before the move: verify your email address/);
  assert.match(body, /Engage will live at <a href="https:\/\/engage\.acme\.example\/">/);
  assert.match(body, /Bookmarks and report subscriptions/);
  for (const name of ADMINS) assert.doesNotMatch(body, new RegExp(name), `${name} is not named on a public page`);
  assert.doesNotMatch(body, /@acme\.example/, 'no address either');
  const json = await help('/notice.json');
  assert.equal(json.headers.get('cache-control'), 'public, max-age=300');
  assert.deepEqual(await json.json(), {
    subscriptionId: SUB, subscriptionName: 'Acme Marketing (production)', phase: 'announced', migrationDate: '2026-12-05',
    startsAt: '2026-12-05T08:00:00.000Z', timeZone: 'America/Los_Angeles', dateText: 'Saturday, 5 December 2026', startText: '5 December 2026 at 00:00 GMT-8',
    helpUrl: `${server.url}/help/${SUB}`, imsName: 'Acme ID', brandText: 'Continue with Acme ID', productUrl: PRODUCT_URL,
  });
});

test('every mail of the plan has a text and an HTML part, both linking the help page, as a mail parser reads them', async () => {
  await runUserPhase({ subscriptionId: SUB, userIds: ['1001'] }, ports());
  const deps = commsDepsFrom({ db: store.kysely, mailer: smtpMailer, config: buildConfig({ flags: FLAGS }), secret: SECRET, baseUrl: server.url, actor: 'test', now });
  const to: Record<string, string> = { announcement: '1022', verification: '1022', verification_reminder: '1022', migration_day: '1022', after_migration: '1001' };
  for (const template of TEMPLATE_NAMES) {
    const r = await sendComms(deps, SUB, { kind: 'template', template, userIds: [to[template]!] });
    assert.equal(r.sent, 1, `${template}: ${JSON.stringify(r.failed)}`);
  }
  await waitFor(() => received.length >= TEMPLATE_NAMES.length);
  const helpUrl = `${server.url}/help/${SUB}`;
  for (const mail of received) {
    assert.ok(mail.text?.includes(helpUrl), `${mail.subject}: the text part links the help page`);
    assert.ok(typeof mail.html === 'string' && mail.html.includes(`href="${helpUrl}"`), `${mail.subject}: the HTML part links it`);
    assert.match(mail.html as string, /^<!doctype html>\n<html lang="en">/, `${mail.subject}: a whole, accessible document`);
  }
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), 'timed out');
}
