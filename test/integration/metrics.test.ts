// Observability for operators (docs/operations.md): a real `rehome serve` process, configured from the environment
// as operators run it, carries a small migration pressed in its console (the app action runs in that process), an
// invited admin's failed and good sign-ins through the IMS, and then Prometheus scrapes /metrics: the token is
// enforced, the counters moved by what happened (users migrated = rows migrated), and every log line is JSON with a
// request id and names nobody. Then the PostgreSQL queue depth on the composed server, and `rehome worker
// --metrics-port`.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { makeWorkerUtils } from 'graphile-worker';
import { buildConfig } from '../../src/config/config.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { startRehomeServer } from '../../src/server/rehome-server.ts';
import { linkIn, readForm, TestBrowser } from '../e2e/support/browser.ts';
import { postgresTestDatabase } from '../e2e/support/test-databases.ts';
import { csrfOf, followOnServer, imsConsoleSession } from '../security/security-world.ts';
import { example, ROOT, runRehome } from '../support/rehome-cli.ts';

const SUB = '123-ABC-456';
const TOKEN = 'metrics-token-0123456789abcdef';
const PASSWORD = 'metrics-admin-password-0123456789';
const SECRETS = { REHOME_IMS_COOKIE_KEYS: 'metrics-cookie-key-0123456789abcdef0123', REHOME_IMS_LINK_SECRET: 'metrics-link-secret-0123456789abcdef0123' };
const ENV = { ...SECRETS, REHOME_STORE: 'sqlite', REHOME_DATABASE_URL: '', REHOME_PRODUCT_URL: '', REHOME_SMTP_HOST: '', REHOME_METRICS_TOKEN: TOKEN };

/** A `rehome` process that keeps running (serve, worker), its output collected. */
interface Running { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> }

function start(args: string[], cwd: string, until: RegExp): Promise<Running> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/rehome.ts'), ...args], { cwd, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { err += c; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = { child, out: () => out, err: () => err, exited };
  return (async () => {
    const started = Date.now();
    while (!until.test(out)) {
      if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`rehome ${args[0]} did not start:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return running;
  })();
}

async function stop(running: Running | undefined): Promise<number | null | undefined> {
  if (!running) return undefined;
  if (running.child.exitCode === null) running.child.kill('SIGTERM');
  return running.exited;
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const has = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (Object.entries(labels).every(([k, v]) => has[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

const scrape = (url: string, token?: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/metrics`, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });

let dir: string;
let db: string;
let serve: Running | undefined;
let url = '';
let exposition = '';
let admin = '';
let migratedRows = 0;
let flowDone = false;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rehome-metrics-'));
  db = join(dir, 'rehome.db');
  const imported = runRehome(['import', '--users', example('users.csv'), '--ims', example('ims-directory.csv'), '--subscription', example('subscription.json'), '--db', db], dir, { env: ENV });
  assert.ok(imported.code === 0 || imported.code === 3, `rehome import: ${imported.err}`);
  serve = await start(['serve', '--port', '0', '--db', db, '--dev-outbox'], dir, /Press Ctrl-C/);
  url = /Rehome is serving on (\S+)/.exec(serve.out())![1]!;
});

after(async () => {
  await stop(serve);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const query = (sql: string, ...params: (string | number)[]) => {
  const sqlite = new DatabaseSync(db, { readOnly: true });
  try {
    return sqlite.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    sqlite.close();
  }
};

test('a migration and sign-ins on `rehome serve` move its /metrics', async () => {
  // The console, as the first admin: link, schedule, Migrate Now for the admins and a few users.
  const bootstrap = /first admin of \S+ \(one use, until [^)]+\): (\S+)/.exec(serve!.out());
  assert.ok(bootstrap, 'serve prints the first admin\'s one-time link');
  const signedIn = await fetch(`${url}/console/bootstrap`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ token: new URL(bootstrap[1]!).searchParams.get('token')! }) });
  assert.equal(signedIn.status, 303);
  const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('rehome_console='))!.split(';')[0]!;
  const csrf = await csrfOf({ url }, cookie, `/console/s/${SUB}`);
  const press = async (path: string, fields: [string, string][]) => {
    const r = await fetch(`${url}/console/s/${SUB}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie }, body: new URLSearchParams([['csrf', csrf], ...fields]) });
    assert.equal(r.status, 303, path);
  };
  await press('/link', [['consent', 'yes']]);
  await press('/schedule', [['date', addDays(localDate(new Date(), 'America/Los_Angeles'), 9)]]);
  const eligible = query("select user_id from mig_users where subscription_id = ? and state = 'eligible' and admin = 0 order by user_id limit 4", SUB).map((r) => String(r.user_id));
  const chosen = ['1001', '1002', ...eligible];
  // Admins first: Ken Lamarr (1003) has no verified address; skipping an admin needs the second confirmation.
  await press('/users/action', [['action', 'skip'], ['reason', 'no verified address'], ['user', '1003'], ['confirm_admins', 'yes']]);
  await press('/users/action', [['action', 'migrate'], ...chosen.map((u): [string, string] => ['user', u])]);
  const deadline = Date.now() + 60_000;
  const settled = () => Number(query(`select count(*) as n from mig_users where subscription_id = ? and user_id in (${chosen.map(() => '?').join(',')}) and state in ('migrated', 'activated', 'failed')`, SUB, ...chosen)[0]!.n);
  while (settled() !== chosen.length) {
    assert.ok(Date.now() < deadline, 'the chosen users were migrated');
    await new Promise((r) => setTimeout(r, 100));
  }
  migratedRows = Number(query("select count(*) as n from mig_users where subscription_id = ? and state in ('migrated', 'activated')", SUB)[0]!.n);
  assert.ok(migratedRows >= 3, 'admins and users migrated');

  // The invited admin sets a password, signs in once with a wrong one, then through the IMS into the console.
  admin = String(query("select email from mig_users where subscription_id = ? and user_id = '1001'", SUB)[0]!.email);
  const { mails } = (await (await fetch(`${url}/ims/dev/outbox.json`)).json()) as { mails: { to: string; text: string }[] };
  const invitation = mails.find((m) => m.to.toLowerCase() === admin.toLowerCase() && m.text.includes('/ims/account/invite'))!;
  const invited = new TestBrowser(url);
  const inviteForm = readForm(await (await invited.request(linkIn(invitation.text, '/ims/account/invite'))).text());
  assert.equal((await invited.request(inviteForm.action, { form: { ...inviteForm.fields, password: PASSWORD } })).status, 200);
  const guess = new TestBrowser(url);
  const login = await followOnServer(guess, '/console/login?return_to=/console/');
  const loginForm = readForm(await login.response.text());
  assert.equal((await guess.request(loginForm.action, { form: { ...loginForm.fields, email: admin, password: 'not-the-password-0123456789' } })).status, 401);
  await imsConsoleSession({ url }, admin, PASSWORD);

  // Prometheus: the token is required, compared whole.
  assert.equal((await scrape(url)).status, 401);
  assert.equal((await scrape(url, `${TOKEN}x`)).status, 401);
  assert.equal((await scrape(url, TOKEN.slice(0, -1))).status, 401);
  assert.equal((await fetch(`${url}/metrics`, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } })).status, 401);
  const scraped = await scrape(url, TOKEN);
  assert.equal(scraped.status, 200);
  assert.match(scraped.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  exposition = await scraped.text();
  flowDone = true;

  assert.equal(sample(exposition, 'rehome_users_migrated_total'), migratedRows, exposition);
  const failedRows = Number(query("select count(*) as n from mig_users where subscription_id = ? and state = 'failed'", SUB)[0]!.n);
  assert.equal(sample(exposition, 'rehome_users_failed_total'), failedRows);
  assert.ok(sample(exposition, 'rehome_batch_duration_seconds_count') >= 1, 'batches observed');
  assert.ok(sample(exposition, 'rehome_batch_users_total') >= chosen.length, 'their users counted');
  assert.equal(sample(exposition, 'rehome_phases_started_total', { phase: 'product' }), 1);
  assert.ok(sample(exposition, 'rehome_idp_requests_total', { outcome: 'ok' }) > 0, 'IdP calls counted');
  assert.ok(sample(exposition, 'rehome_idp_request_duration_seconds_count') > 0, 'IdP calls timed');
  assert.match(exposition, /^# TYPE rehome_idp_throttled_total counter$/m);
  assert.ok(sample(exposition, 'rehome_mails_total', { kind: 'invite', outcome: 'sent' }) >= 2, 'invitations counted');
  assert.equal(sample(exposition, 'rehome_mails_total', { kind: 'other' }), 0, 'every mail of the flow has a known kind');
  assert.equal(sample(exposition, 'rehome_ims_sign_ins_total', { outcome: 'failure', code: 'invalid_credentials' }), 1);
  assert.ok(sample(exposition, 'rehome_ims_sign_ins_total', { outcome: 'success' }) >= 1, 'the good sign-in counted');
  assert.ok(sample(exposition, 'rehome_http_requests_total', { route: 'console', method: 'POST', status: '303' }) >= 3, 'console actions counted');
  assert.ok(sample(exposition, 'rehome_http_requests_total', { route: 'metrics', status: '401' }) >= 3, 'refused scrapes counted');
  assert.ok(sample(exposition, 'process_cpu_user_seconds_total') > 0, 'the default process metrics');
  assert.doesNotMatch(exposition, /rehome_queue_jobs_waiting/, 'no job queue on SQLite');
  // Labels are bounded sets: no address, no user id, no subscription id.
  assert.doesNotMatch(exposition, /@|123-ABC-456|="1001"/);
});

test('every log line of the server is JSON with a request id, echoed in the response', async () => {
  const given = await fetch(`${url}/console/login`, { redirect: 'manual', headers: { 'x-request-id': 'lb-4f1c.7' } });
  assert.equal(given.headers.get('x-request-id'), 'lb-4f1c.7');
  const insane = await fetch(`${url}/ims/account/signup?email=someone%40people.example`, { headers: { 'x-request-id': 'someone@people.example' } });
  assert.match(insane.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'a request id that could carry an address is replaced');
  await fetch(`${url}/no-such-page`);
  await new Promise((r) => setTimeout(r, 200));

  const [, afterBanner] = serve!.out().split('Press Ctrl-C to stop.\n');
  const lines = afterBanner!.split('\n').filter((l) => l !== '');
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(entries.length > 20, 'the flow logged');
  const requests = entries.filter((e) => e.msg === 'request');
  for (const e of requests) {
    assert.equal(typeof e.reqId, 'string');
    assert.equal(typeof e.time, 'string');
    assert.deepEqual(Object.keys(e).sort(), ['level', 'method', 'ms', 'msg', 'reqId', 'route', 'status', 'time']);
  }
  assert.ok(requests.some((e) => e.reqId === 'lb-4f1c.7' && e.route === 'console' && e.status === 303));
  assert.ok(requests.some((e) => e.route === 'other' && e.status === 404));
  assert.ok(requests.some((e) => e.route === 'ims_interaction' && e.status === 401), 'the refused sign-in');
  assert.ok(requests.some((e) => e.route === 'metrics' && e.status === 200));
  assert.equal(new Set(requests.map((e) => e.reqId)).size, requests.length, 'one id per request');
});

test('the log names nobody: no address of the example or of the admin who signed in', () => {
  assert.ok(flowDone && admin !== '');
  const logs = `${serve!.out()}\n${serve!.err()}`.toLowerCase();
  const addresses = new Set([admin.toLowerCase(), 'someone@people.example']);
  for (const f of ['users.csv', 'ims-directory.csv']) for (const m of readFileSync(example(f), 'utf8').matchAll(/[^\s,;"<>]+@[^\s,;"<>]+\.[a-z]{2,}/gi)) addresses.add(m[0].toLowerCase());
  assert.ok(logs.includes('"reqid"'), 'the log was captured');
  assert.deepEqual([...addresses].filter((a) => logs.includes(a) || logs.includes(encodeURIComponent(a))), []);
  // Nor user ids or the query strings that carry addresses.
  assert.doesNotMatch(logs, /"(?:url|path|query|email|userid|user)":/);
});

test('the server stops cleanly', async () => {
  assert.equal(await stop(serve), 0, serve!.err());
  assert.match(serve!.out(), /stopped\./);
});

test('PostgreSQL: the queue depth is read from graphile-worker at scrape time', async () => {
  const pgdb = await postgresTestDatabase('metrics');
  const store = await pgdb.open();
  const config = buildConfig({ env: { ...SECRETS, REHOME_STORE: 'postgres', REHOME_DATABASE_URL: pgdb.options.kind === 'postgres' ? pgdb.options.url : '', REHOME_METRICS_TOKEN: TOKEN }, flags: { 'server.port': 0, 'server.logLevel': 'silent' } });
  const server = await startRehomeServer({ config, store, port: 0 });
  try {
    // Before any job was ever queued there is no queue schema: nothing waits.
    assert.equal(sample(await (await scrape(server.url, TOKEN)).text(), 'rehome_queue_jobs_waiting'), 0);
    const utils = await makeWorkerUtils({ connectionString: config.store.url! });
    try {
      await utils.migrate();
      const later = new Date(Date.now() + 3_600_000);
      for (const n of [1, 2, 3]) await utils.addJob('metrics-test', { n }, { runAt: later });
      assert.equal(sample(await (await scrape(server.url, TOKEN)).text(), 'rehome_queue_jobs_waiting'), 3);
    } finally {
      await utils.release();
    }
  } finally {
    await server.close();
    await store[Symbol.asyncDispose]();
    await pgdb.drop();
  }
});

test('`rehome worker --metrics-port` serves its metrics on 127.0.0.1, token enforced', async () => {
  const worker = await start(['worker', '--metrics-port', '0', '--db', db], dir, /metrics on (\S+)\/metrics/);
  try {
    const base = /metrics on (\S+)\/metrics/.exec(worker.out())![1]!;
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await scrape(base)).status, 401);
    const r = await scrape(base, TOKEN);
    assert.equal(r.status, 200);
    const text = await r.text();
    assert.match(text, /^# TYPE rehome_users_migrated_total counter$/m);
    assert.ok(sample(text, 'process_resident_memory_bytes') > 0);
    assert.equal((await fetch(`${base}/console/`)).status, 404);
  } finally {
    assert.equal(await stop(worker), 0, worker.err());
  }
});
