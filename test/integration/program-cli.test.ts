// `rehome program import` and `rehome program plan` on examples/fleet, as an operator runs them (each command its
// own process), on SQLite and on the local PostgreSQL: a broken subscription is reported with file:line:column and
// skipped while the other 59 load; the plan puts every subscription in exactly one wave or in the blocked list, and
// its numbers are those of `rehome plan` of each subscription.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planReadiness } from '../../src/core/readiness/plan-readiness.ts';
import { accountForOrg } from '../../src/core/program/directory-slice.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';

const root = new URL('../../', import.meta.url).pathname;
const FLEET = join(root, 'examples/fleet');
const SUBSCRIPTIONS = readdirSync(FLEET).filter((f) => f.startsWith('SUB-')).sort();
const BROKEN = 'SUB-0002';
// scripts/make-example-fleet.ts: SSO needed and not configured (k % 17 === 6), no admin verified (k % 19 === 9).
const BLOCKED = { 'SUB-0006': 'sso_not_configured', 'SUB-0023': 'sso_not_configured', 'SUB-0040': 'sso_not_configured', 'SUB-0057': 'sso_not_configured', 'SUB-0009': 'no_ready_admin', 'SUB-0028': 'no_ready_admin', 'SUB-0047': 'no_ready_admin' };
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

function cli(db: TestDatabase, cwd: string, ...args: string[]) {
  return cliWith({}, db, cwd, ...args);
}

function cliWith(extraEnv: Record<string, string>, db: TestDatabase, cwd: string, ...args: string[]) {
  const env = db.options.kind === 'postgres'
    ? { REHOME_STORE: 'postgres', REHOME_DATABASE_URL: db.options.url }
    : { REHOME_STORE: 'sqlite', REHOME_DATABASE_URL: '' };
  const dbFlag = db.options.kind === 'sqlite' ? ['--db', db.options.path] : [];
  const r = spawnSync(process.execPath, [join(root, 'bin/rehome.ts'), ...args, ...dbFlag], { cwd, encoding: 'utf8', env: { ...process.env, ...env, REHOME_PRODUCT_URL: '', REHOME_SMTP_HOST: '', REHOME_IDP: '', ...extraEnv } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The users file of BROKEN with a bad cell on line 5 (email_verified "maybe"), and its line and column. */
function breakSubscription(dir: string): { line: number; column: number } {
  const file = join(dir, BROKEN, 'users.csv');
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = lines[0]!.replace(/^\ufeff/, '').split(',');
  const cells = lines[4]!.split(',');
  const i = header.indexOf('email_verified');
  const column = cells.slice(0, i).join(',').length + 2;
  cells[i] = 'maybe';
  lines[4] = cells.join(',');
  writeFileSync(file, lines.join('\n'));
  return { line: 5, column };
}

async function fleetRun(label: string, makeDb: () => Promise<TestDatabase>) {
  const db = await makeDb();
  cleanups.push(() => db.drop());
  const cwd = mkdtempSync(join(tmpdir(), `rehome-program-${label}-`));
  cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
  const dir = join(cwd, 'fleet');
  cpSync(FLEET, dir, { recursive: true });
  const broken = breakSubscription(dir);

  // 1. One subscription broken: reported with file:line:column and field, skipped; the other 59 imported.
  const first = cli(db, cwd, 'program', 'import', '--dir', dir);
  assert.equal(first.code, 3, `${first.out}\n${first.err}`);
  assert.match(first.out, new RegExp(`^imported 59 of 60 subscriptions from ${dir}: `, 'm'));
  assert.match(first.out, new RegExp(`skipped 1 subscription\\(s\\) with problems, nothing of them stored: ${BROKEN}\n`));
  assert.ok(first.err.includes(`${join(dir, BROKEN, 'users.csv')}:${broken.line}:${broken.column}: email_verified: expected`), first.err);
  assert.match(first.err, /"maybe"/);
  const stored = JSON.parse(cli(db, cwd, 'program', 'plan', '--start', '2026-06-01', '--format', 'json').out);
  const ids = (plan: any): string[] => [...plan.waves.flatMap((w: any) => w.subscriptions.map((s: any) => s.id)), ...plan.blocked.map((s: any) => s.id)].sort();
  assert.deepEqual(ids(stored), SUBSCRIPTIONS.filter((s) => s !== BROKEN), 'nothing of the broken subscription was stored');

  // 2. Fixed and imported again: every subscription, each a new (refreshed) snapshot.
  cpSync(join(FLEET, BROKEN), join(dir, BROKEN), { recursive: true });
  const again = cli(db, cwd, 'program', 'import', '--dir', dir);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /^imported 60 of 60 subscriptions .*: 9,000 users; IMS directory: 1,857 accounts, read once$/m);
  assert.match(again.out, /support tickets checked: \d+ in 15 tickets.jsonl files/);

  // 3. The plan: the JSON shape of docs/program.md; every subscription in exactly one wave or in the blocked list.
  const planned = cli(db, cwd, 'program', 'plan', '--start', '2026-06-01', '--max-users-per-day', '300', '--format', 'json');
  assert.equal(planned.code, 0, planned.err);
  const plan = JSON.parse(planned.out);
  assert.deepEqual(Object.keys(plan), ['waves', 'blocked', 'summary']);
  assert.deepEqual(Object.keys(plan.summary), ['subscriptions', 'users', 'automatic', 'selfService', 'blocked', 'waves', 'lastDay']);
  for (const w of plan.waves) {
    assert.deepEqual(Object.keys(w), ['n', 'start', 'subscriptions']);
    for (const s of w.subscriptions) assert.deepEqual(Object.keys(s), ['id', 'mode', 'users', 'movable', 'blocked', 'reasons']);
  }
  assert.deepEqual(ids(plan), SUBSCRIPTIONS);
  assert.deepEqual(Object.fromEntries(plan.blocked.map((s: any) => [s.id, s.reasons.filter((r: any) => r.blocking).map((r: any) => r.code).join()])), BLOCKED);
  assert.deepEqual(plan.summary, {
    subscriptions: 60, users: 9000, automatic: plan.waves.flatMap((w: any) => w.subscriptions).filter((s: any) => s.mode === 'automatic').length,
    selfService: 53 - plan.waves.flatMap((w: any) => w.subscriptions).filter((s: any) => s.mode === 'automatic').length, blocked: 7, waves: plan.waves.length, lastDay: plan.summary.lastDay,
  });
  assert.equal(plan.waves[0].start, '2026-06-09', 'the start plus 8 days (the scheduling rule, the comms reminders 7 days before)');
  assert.equal(plan.waves[0].subscriptions.length, 5, 'the pilot: five across sizes');
  const modes = plan.waves.slice(1).map((w: any) => [...new Set(w.subscriptions.map((s: any) => s.mode))].join());
  assert.deepEqual(modes, [...modes].sort(), 'automatic waves, then self-service waves');
  for (const w of plan.waves.slice(1)) {
    const users = w.subscriptions.reduce((n: number, s: any) => n + s.movable, 0);
    assert.ok(w.subscriptions.length === 1 || users <= 300 * 7, `wave ${w.n}: ${users} movable users`);
  }

  // 4. The numbers are those of `rehome plan` of each subscription.
  const entries = new Map([...plan.waves.flatMap((w: any) => w.subscriptions), ...plan.blocked].map((s: any) => [s.id, s]));
  for (const id of ['SUB-0001', 'SUB-0006', 'SUB-0020', 'SUB-0053']) {
    const one = JSON.parse(cli(db, cwd, 'plan', '--subscription', id, '--format', 'json').out);
    const e = entries.get(id);
    assert.deepEqual([e.users, e.movable, e.mode], [one.counts.total, one.counts.total - one.counts.stay_local - one.counts.skip, one.mode], id);
  }

  // 5. For people, and into a file.
  const table = cli(db, cwd, 'program', 'plan', '--start', '2026-06-01', '--max-users-per-day', '300');
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /^Program plan: 60 subscriptions, 9,000 users: \d+ automatic, \d+ self-service, 7 blocked$/m);
  assert.match(table.out, /^ {2}capacity: 300 users\/day \(--max-users-per-day\)$/m);
  assert.match(table.out, /^Wave 1 \(pilot\) {2}2026-06-09 to /m);
  assert.match(table.out, /^Blocked \(7\): in no wave until fixed/m);
  assert.match(table.out, /BLOCKING no_ready_admin: none of its \d+ admins can move yet/);
  const out = join(cwd, 'program-plan.json');
  assert.equal(cli(db, cwd, 'program', 'plan', '--start', '2026-06-01', '--max-users-per-day', '300', '--out', out).code, 0);
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), plan);
  return { db };
}

test('program import and plan on examples/fleet, SQLite', async () => {
  const { db } = await fleetRun('sqlite', async () => sqliteTestDatabase('program'));
  // Each subscription's snapshot keeps only its part of the fleet's directory, and decides every user as the whole
  // export would (what `rehome import` of that subscription alone would store).
  await using store = await db.open();
  const whole = readImsDirectory(join(FLEET, 'ims-directory.csv'));
  const refs = await store.listSnapshots();
  assert.equal(new Set(refs.map((r) => r.subscriptionId)).size, 60);
  for (const id of SUBSCRIPTIONS) {
    const s = (await store.loadSnapshot({ subscriptionId: id }))!;
    assert.ok(s.ims.accounts.length < whole.length / 4, `${id}: ${s.ims.accounts.length} accounts`);
    const subscriptions = [{ subscription: s.subscription, users: s.users }];
    assert.deepEqual(planReadiness({ subscriptions, ims: s.ims }), planReadiness({ subscriptions, ims: { accounts: whole.map((a) => accountForOrg(a, s.subscription.imsOrg.claimedDomains)) } }), id);
  }
});

test('program import and plan on examples/fleet, PostgreSQL', async () => {
  await fleetRun('postgres', () => postgresTestDatabase('program'));
});

test('program import: an unusable folder or IMS directory stops everything with exit 2; usage errors say what to do', async () => {
  const db = sqliteTestDatabase('program-bad');
  cleanups.push(() => db.drop());
  const cwd = mkdtempSync(join(tmpdir(), 'rehome-program-bad-'));
  cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
  const noDir = cli(db, cwd, 'program', 'import', '--dir', join(cwd, 'missing'));
  assert.equal(noDir.code, 2);
  assert.match(noDir.err, /missing: directory not found/);
  const dir = join(cwd, 'fleet');
  mkdirSync(join(dir, 'SUB-0001'), { recursive: true });
  cpSync(join(FLEET, 'SUB-0001'), join(dir, 'SUB-0001'), { recursive: true });
  const noIms = cli(db, cwd, 'program', 'import', '--dir', dir);
  assert.equal(noIms.code, 2);
  assert.match(noIms.err, /ims-directory.csv: file not found/);
  writeFileSync(join(dir, 'ims-directory.csv'), 'Identity Type,Username,Email\nAlien ID,x,x@y.example\n');
  const badIms = cli(db, cwd, 'program', 'import', '--dir', dir);
  assert.equal(badIms.code, 2);
  assert.match(badIms.err, /ims-directory.csv:2:1: Identity Type: expected Adobe ID, Enterprise ID or Federated ID, got "Alien ID"\nNothing was stored/);
  assert.equal(cli(db, cwd, 'program', 'plan', '--start', '2026-06-01').code, 2, 'nothing imported: nothing to plan');
  assert.match(cli(db, cwd, 'program').err, /say what to do: rehome program import --dir DIR, or rehome program plan/);
  assert.match(cli(db, cwd, 'program', 'start').err, /start, status, dashboard and simulate are not yet/);
  assert.match(cli(db, cwd, 'program', 'plan', '--wave-days', 'x').err, /--wave-days takes a whole number/);
  // A subscription folder whose id is not its name, with an admin who is not among its users: both reported at once.
  writeFileSync(join(dir, 'ims-directory.csv'), readFileSync(join(FLEET, 'ims-directory.csv')));
  cpSync(join(FLEET, 'SUB-0003'), join(dir, 'SUB-9999'), { recursive: true });
  const sub = JSON.parse(readFileSync(join(dir, 'SUB-9999', 'subscription.json'), 'utf8'));
  writeFileSync(join(dir, 'SUB-9999', 'subscription.json'), `${JSON.stringify({ ...sub, admins: [...sub.admins, 'nobody'] }, null, 2)}\n`);
  const mixed = cli(db, cwd, 'program', 'import', '--dir', dir);
  assert.equal(mixed.code, 3, mixed.err);
  assert.match(mixed.err, /SUB-9999\/subscription.json:2:9: id: expected the name of its folder, SUB-9999, got "SUB-0003"/);
  assert.match(mixed.err, /SUB-9999\/subscription.json:\d+:5: admins\[\d\]: expected the id of a product user in .*SUB-9999\/users.csv, got "nobody"/);
  assert.match(cli(db, cwd, 'program', 'plan', '--start', '2026-13-01').err, /the start must be a calendar date YYYY-MM-DD \(got 2026-13-01\)/);
});

test('program plan with an external IdP: the daily capacity is its rate limit over the requests the engine sends per user', async () => {
  const db = sqliteTestDatabase('program-idp');
  cleanups.push(() => db.drop());
  const cwd = mkdtempSync(join(tmpdir(), 'rehome-program-idp-'));
  cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
  const dir = join(cwd, 'fleet');
  for (const id of ['SUB-0001', 'SUB-0020', 'SUB-0053']) cpSync(join(FLEET, id), join(dir, id), { recursive: true });
  cpSync(join(FLEET, 'ims-directory.csv'), join(dir, 'ims-directory.csv'));
  // Never reached: the import and the plan send nothing to the IdP (Bulk off: nothing to discover).
  writeFileSync(join(cwd, 'rehome.config.json'), JSON.stringify({ idp: { kind: 'external', issuer: 'https://idp.invalid', scimUrl: 'https://idp.invalid/scim/v2', clientId: 'c', bulk: 'off', requestsPerMinute: 10 } }));
  const external = { REHOME_IDP_CLIENT_SECRET: 'never-sent' };
  const imported = cliWith(external, db, cwd, 'program', 'import', '--dir', dir);
  assert.equal(imported.code, 0, imported.err);
  const r = cliWith(external, db, cwd, 'program', 'plan', '--start', '2026-06-01', '--pilot', '0');
  assert.equal(r.code, 0, r.err);
  const m = /capacity: ([\d,]+) users\/day from the IdP's rate limit \(10 requests\/min, ([\d.]+) requests per user\)/.exec(r.out);
  assert.ok(m, r.out);
  const perUser = Number(m[2]);
  assert.ok(perUser > 2 && perUser < 6, `${perUser} requests per user without Bulk`);
  assert.ok(Math.abs(Number(m[1]!.replaceAll(',', '')) - (10 * 1440) / perUser) < 50);
});
