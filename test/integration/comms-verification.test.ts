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
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { computeProgress } from '../../src/core/migration/progress.ts';
import { TEMPLATE_NAMES } from '../../src/core/comms/templates.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { runUserPhase } from '../../src/engine/user-phase.ts';
import { skipAdminsWhoCannotMove } from '../support/admins-first.ts';
import { scheduleMigration } from '../../src/engine/admin-actions.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';
import { countUsersByState, getUser, migrationDb } from '../../src/engine/migration-repo.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { createSmtpMailer } from '../../src/mail/smtp-mailer.ts';
import { startRehomeServer, type RehomeServer } from '../../src/server/rehome-server.ts';
import { commsDepsFrom } from '../../src/app/comms-wiring.ts';
import { sendComms } from '../../src/comms/send-comms.ts';
import { previewComms } from '../../src/comms/preview-comms.ts';
import { readCommsSummary } from '../../src/comms/comms-repo.ts';
import type { Mailer } from '../../src/mail/mailer.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';

const ex = (f: string) => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;
const SECRET = 'comms-test-link-secret-0123456789abcdef0123';
const PRODUCT_URL = 'https://app.acme.example/';
const SUB = '123-ABC-456';
let clock = new Date('2026-11-25T12:00:00Z');
const now = () => clock;

let database: TestDatabase;
let store: StoreAdapter;
let smtp: SMTPServer;
let smtpMailer: Mailer & { close(): void };
let server: RehomeServer;
const received: ParsedMail[] = [];
const config = buildConfig({ flags: { 'comms.productUrl': PRODUCT_URL, 'ims.productName': 'Acme ID', 'ims.brandText': 'Continue with Acme ID' } });

const deps = (mailer: Mailer = smtpMailer) => commsDepsFrom({ db: store.kysely, mailer, config, secret: SECRET, baseUrl: server.url, actor: 'test', now });
const mailsTo = (addr: string) => received.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.value.some((v) => v.address === addr)));
const linkIn = (m: ParsedMail) => /http:\/\/127\.0\.0\.1:\d+\/verify-email\?token=[\w.%-]+/.exec(m.text ?? '')![0];
const tokenOf = (link: string) => decodeURIComponent(new URL(link).searchParams.get('token')!);
const post = (path: string, token: string) => fetch(`${server.url}${path}`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
const stateOf = async (userId: string) => (await getUser(migrationDb(store.kysely), SUB, userId))!.state;

before(async () => {
  database = sqliteTestDatabase('comms');
  store = await database.open();
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'],
    onData(stream, _s, cb) { simpleParser(stream).then((m) => { received.push(m); cb(); }, cb); },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpMailer = createSmtpMailer(store.kysely, { host: '127.0.0.1', port: (smtp.server.address() as AddressInfo).port, from: '"Acme" <no-reply@acme.example>' });
  // The server as `rehome serve` composes it: /verify-email mails new links through the same SMTP server.
  server = await startRehomeServer({
    host: '127.0.0.1', port: 0, store, now,
    config: buildConfig({
      env: { REHOME_IMS_LINK_SECRET: SECRET, REHOME_IMS_COOKIE_KEYS: 'comms-test-cookie-key-0123456789abcdef', REHOME_SMTP_HOST: '127.0.0.1', REHOME_SMTP_PORT: String((smtp.server.address() as AddressInfo).port), REHOME_MAIL_FROM: '"Acme" <no-reply@acme.example>' },
      flags: { 'comms.productUrl': PRODUCT_URL, 'ims.productName': 'Acme ID', 'ims.brandText': 'Continue with Acme ID' },
    }),
  });

  const sub = readSubscription(ex('subscription.json'));
  const accounts = readImsDirectory(ex('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains });
  const ref = await store.saveSnapshot({ subscription: sub, users: readProductUsers(ex('users.csv')), ims: { accounts }, sources: {}, at: clock.toISOString() });
  await seedDirectoryFromExport(createStoreImsDirectory(store), accounts, sub.imsOrg);
  const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
  plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
  const p = ports();
  await applyProductPhase(plan, p, { consent: true });
  await scheduleMigration(p, SUB, addDays(localDate(clock, plan.timeZone), 10));
});

after(async () => {
  await server.close();
  smtpMailer.close();
  await new Promise<void>((r) => smtp.close(() => r()));
  await store[Symbol.asyncDispose]();
  await database.drop();
});

function ports() {
  return embeddedEnginePorts({ store, orgId: 'A1B2C3D4E5F6A7B8C9D0E1F2@AdobeOrg', issuer: `${server.url}/ims`, actor: 'test', now });
}

test('previews render every template with every placeholder filled, and send nothing', async () => {
  const d = deps();
  for (const template of TEMPLATE_NAMES) {
    const p = await previewComms({ db: store.kysely, templates: d.templates, context: d.context, baseUrl: server.url, linkTtlHours: 72, now }, SUB, template);
    assert.deepEqual(p.missing, [], template);
    assert.doesNotMatch(`${p.subject}${p.text}${p.html}`, /\{\{|not set/, template);
    assert.ok(p.html?.startsWith('<!doctype html>'), template);
  }
  const v = await previewComms({ db: store.kysely, templates: d.templates, context: d.context, baseUrl: server.url, linkTtlHours: 72, now }, SUB, 'verification', '1022');
  assert.equal(v.to, 'ken.allen22@acme.example');
  assert.match(v.text, /PREVIEW-ONLY/);
  assert.match(v.text, /Ada Hopper, Tim Nørgaard and Ken Lamarr/);
  assert.equal(received.length, 0);
  assert.equal((await readCommsSummary(store.kysely, SUB)).linksIssued, 0);
});

test('verification mail over SMTP, link clicked over HTTP: the user becomes eligible, then migrates', async () => {
  const byState = await countUsersByState(migrationDb(store.kysely), SUB);
  const r = await sendComms(deps(), SUB, { kind: 'due' }, { concurrency: 8 });
  const mailed = Object.entries(byState).filter(([s]) => !['stays_local', 'not_migrated', 'skipped'].includes(s)).reduce((a, [, n]) => a + n, 0);
  assert.equal(r.byTemplate.announcement!.sent, mailed - 2, 'every user but API-only, deactivated and skipped ones (less two unusable addresses)');
  assert.equal(r.byTemplate.verification!.sent, byState.needs_email_verification, 'every unverified user, nobody else');
  assert.deepEqual(r.failed.map((f) => [f.userId, f.code]).sort(), [['1010', 'mail_invalid'], ['1013', 'mail_invalid']], 'a broken address and a look-alike (mixed scripts) are reported, the rest go out');
  assert.equal(mailsTo('sophie.sharma5@acme.example').length, 0, 'API-only users get nothing');
  const [mail] = mailsTo('ken.allen22@acme.example').filter((m) => /verify your email/i.test(m.subject ?? ''));
  assert.ok(mail, 'verification mail received');
  assert.match(mail.html || '', /<a href="http:\/\/127\.0\.0\.1:\d+\/verify-email\?token=/);
  const link = linkIn(mail);
  const before = computeProgress(await countUsersByState(migrationDb(store.kysely), SUB));

  const page = await fetch(link);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  const body = await page.text();
  assert.match(body, /<button type="submit">Verify my email address<\/button>/);
  assert.equal(await stateOf('1022'), 'needs_email_verification', 'opening the link (or a mail scanner doing so) changes nothing');

  const done = await post('/verify-email', tokenOf(link));
  assert.equal(done.status, 200);
  const text = await done.text();
  assert.match(text, /Your address is verified/);
  assert.match(text, /sign in with Acme ID from Saturday,? 5 December 2026/);
  assert.equal(await stateOf('1022'), 'eligible');
  const afterClick = computeProgress(await countUsersByState(migrationDb(store.kysely), SUB));
  assert.equal(afterClick.verification.verified, before.verification.verified + 1, 'the verification figure follows');

  const again = await fetch(link);
  assert.equal(again.status, 410);
  assert.match(await again.text(), /already used/);
  assert.equal((await post('/verify-email', tokenOf(link))).status, 410, 'a used link verifies nothing twice');
  const summary = await readCommsSummary(store.kysely, SUB);
  assert.equal(summary.usersVerifiedByLink, 1);
  assert.equal(summary.usersClicked, 1);

  // Admins first: the ready admins move, the unverified one is skipped (confirmed twice); then 1022 may follow.
  await runUserPhase({ subscriptionId: SUB, admins: true }, ports());
  await skipAdminsWhoCannotMove(store.kysely, SUB, () => clock);
  const migrated = await runUserPhase({ subscriptionId: SUB, userIds: ['1022'] }, ports());
  assert.equal(migrated.migrated, 1);
  assert.equal(await stateOf('1022'), 'migrated');

  const next = await sendComms(deps(), SUB, { kind: 'due' });
  assert.deepEqual(next.planned.map((s) => s.key), ['1001', '1002', '1022'].map((id) => `${SUB}:after_migration:${id}`), 'no reminder for the verified user, instructions once migrated (the admins moved first)');
  const [instructions] = mailsTo('ken.allen22@acme.example').filter((m) => /now signs in/.test(m.subject ?? ''));
  assert.match(instructions!.text!, /Continue with Acme ID/);
  assert.match(instructions!.text!, /https:\/\/app\.acme\.example\//);
  assert.match(instructions!.text!, /bookmarks/i);
  assert.match(instructions!.text!, /Ada Hopper and Tim Nørgaard/, 'the admins to ask: not the one who was skipped');

  const audit = await store.listAudit({ subscriptionId: SUB });
  assert.ok(audit.some((a) => a.action === 'comms:sent' && a.target === 'verification'));
  assert.ok(audit.some((a) => a.action === 'user:email_verified' && a.target === '1022'));
  assert.doesNotMatch(JSON.stringify(audit.filter((a) => a.action.startsWith('comms:'))), /@/, 'no addresses in comms audit rows');
});

test('expired, tampered and forged links are refused with a page that says what to do', async () => {
  const [mail] = mailsTo('bjorn.wei34@acme.example').filter((m) => /verify your email/i.test(m.subject ?? ''));
  const token = tokenOf(linkIn(mail!));
  const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
  const t1 = await fetch(`${server.url}/verify-email?token=${encodeURIComponent(tampered)}`);
  assert.equal(t1.status, 400);
  assert.match(await t1.text(), /not valid[\s\S]*new verification link/);
  assert.equal((await post('/verify-email', 'forged.signature')).status, 400);
  assert.equal((await fetch(`${server.url}/verify-email`)).status, 400);

  clock = new Date(clock.getTime() + 73 * 3_600_000);
  const expired = await fetch(linkIn(mail!));
  assert.equal(expired.status, 410);
  assert.match(await expired.text(), /expired[\s\S]*Send me a new link/);
  assert.equal((await post('/verify-email', token)).status, 410);
  assert.equal(await stateOf('1034'), 'needs_email_verification');

  const count = mailsTo('bjorn.wei34@acme.example').length;
  const resent = await post('/verify-email/resend', token);
  assert.equal(resent.status, 200);
  assert.match(await resent.text(), /new link is on its way/);
  assert.equal((await post('/verify-email/resend', token)).status, 429, 'one new link per ten minutes');
  const fresh = mailsTo('bjorn.wei34@acme.example').slice(count);
  assert.equal(fresh.length, 1);
  assert.notEqual(tokenOf(linkIn(fresh[0]!)), token);
  assert.equal((await post('/verify-email', tokenOf(linkIn(fresh[0]!)))).status, 200);
  assert.equal(await stateOf('1034'), 'eligible');
});

test('a crash between mailing and recording: the next run mails nobody twice', async () => {
  // 7 days before the date at 09:00 local: the 7-day reminders are due.
  clock = new Date('2026-11-28T17:00:00Z');
  let calls = 0;
  const crashing: Mailer = {
    async send(message) {
      const r = await smtpMailer.send(message);
      if (++calls === 3) throw new Error('simulated crash after the mail left');
      return r;
    },
  };
  const due = (await sendComms(deps(), SUB, { kind: 'due' }, { dryRun: true })).planned.filter((s) => s.userId !== '1010' && s.userId !== '1013'); // their addresses stay unusable
  assert.ok(due.length >= 5 && due.every((s) => s.template === 'verification_reminder'), due.map((s) => s.key).join());
  await assert.rejects(sendComms(deps(crashing), SUB, { kind: 'due' }, { concurrency: 1 }), /simulated crash/);
  const resumed = await sendComms(deps(), SUB, { kind: 'due' });
  assert.equal(resumed.duplicate, 1, 'the mail that left before the crash is recorded, not resent');
  assert.equal(resumed.sent, due.length - 3);
  assert.equal((await sendComms(deps(), SUB, { kind: 'due' })).planned.length, 0);
  const keys = received.map((m) => String(m.headers.get('x-rehome-key')));
  assert.equal(new Set(keys).size, keys.length, 'every key reached the SMTP server once');
  for (const s of due) assert.equal(keys.filter((k) => k === `comms:${s.key}`).length, 1, s.key);
});

test('the console\'s "Verify Email (resend)": numbered resends, verified users refused', async () => {
  const before = received.length;
  const r = await sendComms(deps(), SUB, { kind: 'template', template: 'verification', userIds: ['1028', '1022', '1005'] });
  assert.equal(r.sent, 1);
  assert.deepEqual(r.notInAudience.sort(), ['1005', '1022']);
  assert.equal(received.length, before + 1);
  assert.equal(String(received.at(-1)!.headers.get('x-rehome-key')), `comms:${SUB}:verification:1028:2`, 'the second verification mail (reminders count apart)');
});
