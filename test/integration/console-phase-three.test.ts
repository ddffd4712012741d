// Phase 3 and the links from the console of the composed server (`startRehomeServer`, as `rehome serve` runs it)
// and from the CLI (`rehome tickets|rewrite-links|verify` processes) on twin stores: the same refusal before the
// migration is confirmed, the same file:line:column problems for a bad upload, and afterwards the same support
// tickets and messages, ticket reports, link-rewrite reports, rewritten export, access report and audit rows —
// ids, actors and timestamps aside. Runs on SQLite and on the local PostgreSQL.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { buildConfig } from '../../src/config/config.ts';
import { accessSnapshotFromUsers } from '../../src/core/access/access-snapshot.ts';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { startRehomeServer } from '../../src/server/rehome-server.ts';
import type { StoreAdapter } from '../../src/app/rehome-store.ts';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';
import { ACME as SUB, acmeFile as ex, migrateAcme } from '../support/migrated-subscription.ts';

const root = new URL('../../', import.meta.url).pathname;
const SECRETS = { REHOME_IMS_COOKIE_KEYS: 'phase3-cookie-key-0123456789abcdef012345', REHOME_IMS_LINK_SECRET: 'phase3-link-secret-0123456789abcdef012345' };
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function envOf(db: TestDatabase): Record<string, string> {
  return db.options.kind === 'postgres' ? { REHOME_STORE: 'postgres', REHOME_DATABASE_URL: db.options.url } : { REHOME_STORE: 'sqlite', REHOME_DATABASE_URL: '' };
}

/**
 * `rehome ...` in its own process; answers its exit status and output. Not spawnSync: the server under test lives in
 * this process, and a blocked event loop would leave its idle keep-alive connections to be closed under a request.
 */
function cli(db: TestDatabase, cwd: string, ...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const dbFlag = db.options.kind === 'sqlite' ? ['--db', db.options.path] : [];
  const child = spawn(process.execPath, [join(root, 'bin/rehome.ts'), ...args, ...dbFlag], { cwd, env: { ...process.env, ...envOf(db), ...SECRETS, REHOME_PRODUCT_URL: '', REHOME_SMTP_HOST: '' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString('utf8'); });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, out, err }));
  });
}

/** The inputs both faces are given. */
function writeInputs(dir: string): void {
  writeFileSync(join(dir, 'bad.jsonl'), [
    '{"id":"SR-1","subject":"ok","submitter":"1001","status":"open","created":"2026-09-01T00:00:00Z","messages":[]}',
    '{"id":"SR-2","subject":"bad","submitter":"1001","status":"reopened","created":"2026-09-01T00:00:00Z","messages":[]}',
    '{"id":"SR-3","subject":"bad","submitter":"1001","status":"open","created":"yesterday","messages":[]}',
  ].join('\n'));
  writeFileSync(join(dir, 'links.jsonl'), [
    { kind: 'bookmark', id: 'b1', field: 'url', text: 'http://old.example/app-ab12/#RP1234A1' },
    { kind: 'bookmark', id: 'b2', field: 'url', text: 'http://old.example/app-ab12/settings' },
    { kind: 'email_template', id: 't1', field: 'html', text: '<a href="http://old.example/app-ab12/#RP9">r</a> and https://elsewhere.example/' },
    { kind: 'report_subscription', id: 'r1', field: 'body', text: 'No links here.' },
  ].map((l) => JSON.stringify(l)).join('\n'));
  writeFileSync(join(dir, 'rules.json'), JSON.stringify({ allowedHosts: ['new.example'], rules: [
    { id: 'assets', match: { hosts: ['old.example'], path: '/app-ab12/', fragment: '{r}' }, target: 'https://new.example/#/@acme/so:123-ABC-456/engage/{capture.r}' },
  ] }));
  const after = accessSnapshotFromUsers(readProductUsers(ex('users.csv')));
  after.users.find((u) => u.grants.length > 1)!.grants.pop();
  after.users.splice(5, 1);
  writeFileSync(join(dir, 'after.json'), JSON.stringify(after));
}

const unescapeHtml = (text: string) => text.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/** A signed-in console: press a form (URL-encoded or with files) and read what it answers. */
async function consoleOf(url: string, store: StoreAdapter) {
  const link = await createBootstrapLink(store, SUB);
  const signedIn = await fetch(`${url}/console/bootstrap`, { method: 'POST', body: new URLSearchParams({ token: new URL(link.path, url).searchParams.get('token')! }), redirect: 'manual' });
  const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const get = (path: string) => fetch(`${url}/console/s/${SUB}${path}`, { headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await (await get('/support')).text())![1]!;
  return {
    get,
    /** The first message of the live status stream. */
    async firstEvent(): Promise<unknown> {
      const controller = new AbortController();
      const res = await fetch(`${url}/console/s/${SUB}/events`, { headers: { cookie }, signal: controller.signal });
      const reader = res.body!.getReader();
      let text = '';
      while (!/event: status\ndata: .*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      return JSON.parse(/event: status\ndata: (.*)\n\n/.exec(text)![1]!);
    },
    async press(path: string, fields: Record<string, string>, files: Record<string, string> = {}): Promise<Response> {
      const body = new FormData();
      body.append('csrf', csrf);
      for (const [k, v] of Object.entries(fields)) body.append(k, v);
      for (const [k, file] of Object.entries(files)) body.append(k, new Blob([readFileSync(file)]), file.split('/').pop());
      return fetch(`${url}/console/s/${SUB}${path}`, { method: 'POST', headers: { cookie }, body, redirect: 'manual' });
    },
    /** The page after an action: its flash, as the admin reads it. */
    async flash(): Promise<string> {
      const page = await (await get('/support')).text();
      return unescapeHtml(/<div class="flash [a-z]+"[^>]*>([^<]*)</.exec(page)?.[1] ?? '');
    },
  };
}

/** What phase 3 leaves, ids of IMS accounts replaced by their addresses and times dropped. */
async function rowsOf(db: Kysely<any>) {
  const emailOf = new Map((await db.selectFrom('ims_accounts').select(['id', 'email']).execute()).map((a) => [a.id as string, a.email as string]));
  const bySubject = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => emailOf.get(id) ?? '<id>');
  const sorted = <T>(xs: T[]) => xs.map((x) => bySubject(JSON.stringify(x))).sort();
  return {
    subscription: await db.selectFrom('mig_subscriptions').select('state').where('subscription_id', '=', SUB).executeTakeFirst(),
    tickets: sorted(await db.selectFrom('ims_support_tickets').select(['product_ticket_id', 'org_id', 'subject', 'status', 'created_at', 'requester_subject', 'requester_user_id', 'submitter_user_id', 'attribution', 'reason', 'attributes', 'message_count'])
      .where('subscription_id', '=', SUB).execute()),
    messages: sorted(await db.selectFrom('ims_support_messages').selectAll().where('subscription_id', '=', SUB).execute()),
    ticketReports: (await db.selectFrom('mig_ticket_reports').select(['reconciled', 'source', 'report']).where('subscription_id', '=', SUB).orderBy('id').execute())
      .map((r) => ({ reconciled: Number(r.reconciled), source: String(r.source).split('/').pop(), report: JSON.parse(bySubject(r.report)) })),
    reports: (await db.selectFrom('mig_reports').select(['kind', 'report']).where('subscription_id', '=', SUB).orderBy('id').execute()).map((r) => ({ kind: r.kind, report: JSON.parse(r.report) })),
    audit: (await db.selectFrom('audit_log').select(['action', 'target', 'details', 'actor']).where('subscription_id', '=', SUB).where('action', 'like', '%:%').orderBy('seq').execute())
      .filter((a) => /^(tickets|links|subscription):/.test(String(a.action)) && !['test'].includes(String(a.actor)))
      .map((a) => ({ action: a.action, target: a.target, details: typeof a.details === 'string' ? JSON.parse(a.details) : a.details })),
  };
}

async function parity(label: string, makeDb: () => Promise<TestDatabase>) {
  const [a, b] = [await makeDb(), await makeDb()];
  const dir = mkdtempSync(join(tmpdir(), `rehome-phase3-${label}-`));
  dirs.push(dir);
  writeInputs(dir);
  const storeA = await a.open();
  const storeB = await b.open();
  const config = buildConfig({ env: { ...envOf(b), ...SECRETS }, flags: { 'server.port': 0, 'server.logLevel': 'warn', ...(b.options.kind === 'sqlite' ? { 'store.path': b.options.path } : {}) } });
  const server = await startRehomeServer({ config, store: storeB, port: 0 });
  try {
    // The first admin opens the console before anybody has migrated (the bootstrap link), and keeps the session.
    const admin = await consoleOf(server.url, storeB);
    const [confirmA, confirmB] = [await migrateAcme(storeA), await migrateAcme(storeB)];

    // Before the migration is confirmed: both refuse, and nothing moves.
    const refusedCli = await cli(a, dir, 'tickets', '--subscription', SUB, '--file', ex('tickets.jsonl'));
    assert.equal(refusedCli.status, 2);
    assert.match(refusedCli.err, /support tickets move only after the admin confirms the user migration .*\(transition_refused\)/);
    const refused = await admin.press('/move-tickets', { from: 'file' }, { tickets: ex('tickets.jsonl') });
    assert.equal(refused.status, 303);
    assert.match(await admin.flash(), /^Support tickets move once the migration is confirmed \(Complete Migration\)/);
    assert.match(await (await admin.get('/support')).text(), /<button type="submit" disabled aria-describedby="tickets-hint">Move support tickets<\/button>/, 'the button waits for the confirmation');
    await confirmA();
    await confirmB();

    // A bad file: the console lists exactly the problems the CLI prints, file:line:column, and moves nothing.
    const badCli = await cli(a, dir, 'tickets', '--subscription', SUB, '--file', 'bad.jsonl');
    assert.equal(badCli.status, 2);
    const cliProblems = badCli.err.split('\n').filter((l) => l.startsWith('  bad.jsonl:')).map((l) => l.trim());
    assert.equal(cliProblems.length, 2, badCli.err);
    const bad = await admin.press('/move-tickets', { from: 'file' }, { tickets: join(dir, 'bad.jsonl') });
    assert.equal(bad.status, 200);
    const badPage = await bad.text();
    assert.match(badPage, /The file has problems, listed under Support tickets: nothing was changed\./);
    assert.deepEqual([...badPage.matchAll(/<li><code>([^<]*)<\/code><\/li>/g)].map((m) => unescapeHtml(m[1]!)), cliProblems);

    // Face 1, the CLI.
    assert.equal((await cli(a, dir, 'tickets', '--subscription', SUB, '--file', ex('tickets.jsonl'))).status, 0);
    assert.equal((await cli(a, dir, 'rewrite-links', '--rules', 'rules.json', '--links', 'links.jsonl', '--subscription', SUB)).status, 3);
    assert.equal((await cli(a, dir, 'rewrite-links', '--rules', 'rules.json', '--links', 'links.jsonl', '--subscription', SUB, '--apply', '--out', 'links-new.jsonl')).status, 3);
    assert.equal((await cli(a, dir, 'verify', '--before-stored', SUB, '--after', 'after.json')).status, 3);

    // Face 2, the console: the same files uploaded.
    const moved = await admin.press('/move-tickets', { from: 'file' }, { tickets: ex('tickets.jsonl') });
    assert.equal(moved.status, 303);
    assert.equal(moved.headers.get('location'), `/console/s/${SUB}/support#tickets-h`);
    await server.console.runs.idle();
    assert.match(await admin.flash(), /^Support tickets moved: 60 in, 60 moved now, 0 already moved, 0 failed; the counts reconcile\.$/);

    assert.equal((await admin.press('/rewrite-links', { from: 'file' }, { rules: join(dir, 'rules.json'), links: join(dir, 'links.jsonl') })).status, 303);
    await server.console.runs.idle();
    assert.match(await admin.flash(), /^Dry run done: 2 stored links would change/);
    const dryPage = await (await admin.get('/support')).text();
    const rows = [...dryPage.matchAll(/<tr class="(loss|)"><td>(\w+ \w+)/g)].map((m) => `${m[1] || 'ok'} ${m[2]}`);
    assert.deepEqual(rows, ['loss bookmark b2', 'ok bookmark b1', 'ok email_template t1'], 'the old link no rule matches comes first');
    const dryRun = /name="dry-run" value="([^"]+)"/.exec(dryPage)![1]!;
    const unconfirmed = await admin.press('/apply-links', { 'dry-run': dryRun });
    assert.equal(unconfirmed.status, 303);
    assert.match(await admin.flash(), /Tick the box/);
    assert.equal((await admin.press('/apply-links', { 'dry-run': dryRun, confirm: 'yes' })).status, 303);
    await server.console.runs.idle();
    assert.match(await admin.flash(), /^Stored links rewritten: 2 written\./);
    const exported = await admin.press('/rewritten-links', {});
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-disposition') ?? '', /filename="links-rewritten.jsonl"/);
    assert.equal(await exported.text(), readFileSync(join(dir, 'links-new.jsonl'), 'utf8'), 'the same rewritten export as --out');
    assert.equal((await admin.press('/apply-links', { 'dry-run': dryRun, confirm: 'yes' })).status, 303, 'a dry run is applied once');
    assert.match(await admin.flash(), /Run the dry run again first/);

    assert.equal((await admin.press('/check-access', { before: 'stored', after: 'file' }, { 'after-file': join(dir, 'after.json') })).status, 303);
    await server.console.runs.idle();
    assert.match(await admin.flash(), /^2 users lost access: they are listed first below/);

    // The downloads hold the kept reports; the CSVs one row per ticket, old link and difference.
    const json = async (name: string) => (await admin.get(`/${name}.json`)).json();
    assert.deepEqual(await json('links-report'), (await rowsOf(storeB.kysely)).reports.at(-2)!.report);
    assert.equal(((await json('access-report')) as { summary: { anyLoss: boolean } }).summary.anyLoss, true);
    assert.equal(((await json('tickets-report')) as { reconciled: boolean }).reconciled, true);
    const ticketsCsv = (await (await admin.get('/tickets-report.csv')).text()).trim().split('\r\n');
    assert.equal(ticketsCsv[0], 'ticket,status,submitter,attributed_to,attribution,reason,messages,moved_at');
    assert.equal(ticketsCsv.length, 61);
    const linksCsv = (await (await admin.get('/links-report.csv')).text()).trim().split('\r\n');
    assert.deepEqual(linksCsv.slice(1).map((l) => l.split(',').slice(0, 2).join(' ')), ['bookmark b2', 'bookmark b1', 'email_template t1']);
    assert.match(linksCsv[1]!, /,unmatched,,,$/);
    const accessCsv = (await (await admin.get('/access-report.csv')).text()).trim().split('\r\n');
    assert.ok(accessCsv.slice(1, 3).every((l) => l.includes(',loss,')), 'losses first');

    // The live status stream (the console's one, server-sent events) carries the last job's sentence.
    const live = await admin.firstEvent() as { view: { text: Record<string, string>; show: Record<string, boolean> } };
    assert.equal(live.view.text['task-access'], 'Access checked.');
    assert.equal(live.view.show['task-access'], false);
  } finally {
    await server.close();
  }

  const [ra, rb] = [await rowsOf(storeA.kysely), await rowsOf(storeB.kysely)];
  assert.equal(ra.subscription?.state, 'done');
  assert.equal(ra.tickets.length, 60);
  assert.equal(ra.reports.length, 3, 'dry run, applied rewrite, access diff');
  assert.ok(ra.audit.some((x) => x.action === 'links:rewritten') && ra.audit.some((x) => x.action === 'tickets:migrated'));
  for (const k of Object.keys(ra) as (keyof typeof ra)[]) assert.deepEqual(rb[k], ra[k], `${label}: ${k} differ between the console and the CLI`);
  const actors = await storeB.kysely.selectFrom('audit_log').select('actor').where('action', 'in', ['tickets:migrated', 'links:rewritten', 'links:rewrite_run']).execute();
  assert.ok(actors.length > 0 && actors.every((x) => String(x.actor).startsWith('admin:bootstrap:')), 'audited as the console\'s admin');
  await storeA[Symbol.asyncDispose]();
  await storeB[Symbol.asyncDispose]();
  await a.drop();
  await b.drop();
}

test('console and CLI leave the same phase-3 rows and reports (SQLite)', () => parity('sqlite', async () => sqliteTestDatabase('phase3')));
test('console and CLI leave the same phase-3 rows and reports (PostgreSQL)', () => parity('postgres', () => postgresTestDatabase('phase3')));
