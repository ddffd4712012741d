// Secrets and people in logs: a real `rehome serve` child process (configured from the environment, as operators run
// it) carries a demo-like flow — import, the console's link, schedule and Migrate Now with invitations, verification
// mails, accepting an invitation, a failed and a good sign-in, a password reset, a sign-up, /verify-email, an OpenID
// Connect code exchange by a confidential client, SCIM with a bearer token, and requests that fail on purpose.
// Its stdout and stderr, and every file it leaves in its working directory, must hold no password, token, client
// secret, private key, cookie, link token or person's address. Reports meant to list people (the readiness CSV and
// HTML) may name them; no report holds a secret; the audit export's details carry ids and codes, never addresses
// (docs/console.md). The one deliberate exception: `rehome serve` prints each subscription's one-time bootstrap
// link for the operator (docs/console.md), and that token may appear on that line only.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { consoleClientRegistration } from '../../src/app/console-client.ts';
import { openStore } from '../../src/app/rehome-store.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { createAccessTokens } from '../../src/ims/admin-api/access-tokens.ts';
import { createOrgClient, getOrgClient } from '../../src/ims/admin-api/org-clients.ts';
import { linkIn, readForm, TestBrowser } from '../e2e/support/browser.ts';
import { csrfOf, followOnServer, imsConsoleSession, PROD, RP, RP_VERIFIER, rpAuthorizationPath, SECRETS } from './security-world.ts';

const root = new URL('../../', import.meta.url).pathname;
const example = (f: string) => join(root, 'examples/acme', f);
const PASSWORDS = {
  invitation: 'invited-admin-password-0123456789',
  wrong: 'wrong-guess-password-0123456789',
  reset: 'reset-new-password-0123456789',
  signup: 'signup-password-0123456789',
  scim: 'scim-attribute-password-0123456789',
} as const;
const SMTP_PASSWORD = 'smtp-password-never-used-0123456789';
const NEW_PEOPLE = ['new.person@people.example', 'scim.person@acme.example'];

let dir: string;
let db: string;
let serve: ChildProcess | undefined;
let url = '';
let stdout = '';
let stderr = '';
let exited: Promise<number | null>;
/** The checks below read what the flow left; they mean nothing unless it ran to the end. */
let flowDone = false;
/** Every secret the flow meets, by what it is. */
const secrets = new Map<string, string>();
/** The exports the console handed out: name -> content. */
const exports = new Map<string, string>();
const keep = (label: string, value: string | null | undefined) => {
  if (value && value.length >= 8) secrets.set(`${label} #${secrets.size}`, value);
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rehome-secrets-'));
  db = join(dir, 'rehome.db');
  const clientsFile = join(dir, 'ims-clients.json');
  writeFileSync(clientsFile, JSON.stringify([{ clientId: RP.clientId, clientSecret: RP.clientSecret, redirectUris: [RP.redirectUri], postLogoutRedirectUris: [RP.postLogoutRedirectUri] }]));
  const env = {
    ...process.env, ...SECRETS, REHOME_STORE: 'sqlite', REHOME_DATABASE_URL: '', REHOME_PRODUCT_URL: '', REHOME_SMTP_HOST: '', REHOME_SMTP_PASSWORD: SMTP_PASSWORD,
    REHOME_NEW_PRODUCT_URL: 'https://engage.example/', REHOME_IMS_CLIENTS_FILE: clientsFile,
  };
  const imported = spawnSync(process.execPath, [join(root, 'bin/rehome.ts'), 'import', '--users', example('users.csv'), '--ims', example('ims-directory.csv'), '--subscription', example('subscription.json'), '--db', db], { cwd: dir, env, encoding: 'utf8' });
  assert.ok(imported.status === 0 || imported.status === 3, `rehome import: ${imported.stderr}`);
  serve = spawn(process.execPath, [join(root, 'bin/rehome.ts'), 'serve', '--port', '0', '--db', db, '--dev-outbox'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stdout!.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
  serve.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  exited = new Promise((resolve) => serve!.once('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!stdout.includes('Press Ctrl-C')) {
    if (Date.now() - started > 30_000 || serve.exitCode !== null) throw new Error(`rehome serve did not start:\n${stdout}\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = /Rehome is serving on (\S+)/.exec(stdout)![1]!;
  for (const [k, v] of Object.entries(SECRETS)) for (const part of v.split(',')) keep(k, part);
  keep('SMTP password', SMTP_PASSWORD);
  keep('relying party client secret', RP.clientSecret);
  keep('console client secret', consoleClientRegistration(url, SECRETS.REHOME_IMS_LINK_SECRET).clientSecret);
  for (const [k, v] of Object.entries(PASSWORDS)) keep(`${k} password`, v);
});

after(async () => {
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The people the server knows: every address of the example files, and the ones the flow adds. */
function addresses(): string[] {
  const found = new Set<string>(NEW_PEOPLE);
  for (const f of ['users.csv', 'sandbox-users.csv', 'ims-directory.csv']) for (const m of readFileSync(example(f), 'utf8').matchAll(/[^\s,;"<>]+@[^\s,;"<>]+\.[a-z]{2,}/gi)) found.add(m[0].toLowerCase());
  return [...found];
}

const query = (sql: string, ...params: (string | number)[]) => {
  const sqlite = new DatabaseSync(db, { readOnly: true });
  try {
    return sqlite.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    sqlite.close();
  }
};

/** Every link token in the outbox (invitations, resets, sign-up and product verification links). */
async function outboxLinks(): Promise<{ to: string; text: string }[]> {
  const { mails } = (await (await fetch(`${url}/ims/dev/outbox.json`)).json()) as { mails: { to: string; text: string }[] };
  for (const m of mails) for (const link of m.text.match(/https?:\/\/\S+/g) ?? []) keep(`mailed link token (${new URL(link).pathname})`, new URL(link).searchParams.get('token'));
  return mails;
}

const keepCookies = (browser: TestBrowser) => { for (const [name, value] of browser.cookies) keep(`cookie ${name}`, value); };

test('the flow: import, link, schedule, Migrate Now, invitations, sign-ins, reset, sign-up, OIDC, SCIM, failures', async () => {
  const boot = /first admin of (\S+) \(one use, until [^)]+\): (\S+)/.exec(stdout);
  assert.ok(boot, 'serve prints the first admin\'s one-time link');
  const bootstrapToken = new URL(boot[2]!).searchParams.get('token')!;
  keep('bootstrap token', bootstrapToken);

  // The console, as the first admin: link, schedule, migrate the admins and a few users, send verification mails.
  const signedIn = await fetch(`${url}/console/bootstrap`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ token: bootstrapToken }) });
  assert.equal(signedIn.status, 303);
  const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('rehome_console='))!.split(';')[0]!;
  keep('console session cookie', cookie.split('=')[1]);
  const csrf = await csrfOf({ url }, cookie, `/console/s/${PROD}`);
  keep('console CSRF token', csrf);
  const press = async (path: string, fields: [string, string][]) => {
    const r = await fetch(`${url}/console/s/${PROD}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie }, body: new URLSearchParams([['csrf', csrf], ...fields]) });
    assert.equal(r.status, 303, path);
  };
  await press('/link', [['consent', 'yes']]);
  await press('/schedule', [['date', addDays(localDate(new Date(), 'America/Los_Angeles'), 9)]]);
  const eligible = query("select user_id from mig_users where subscription_id = ? and state = 'eligible' and admin = 0 order by user_id limit 4", PROD).map((r) => String(r.user_id));
  // Admins first: 1003 (unverified) is skipped with the second confirmation, so that the others may follow.
  await press('/users/action', [['action', 'skip'], ['reason', 'no verified address'], ['user', '1003'], ['confirm_admins', 'yes']]);
  await press('/users/action', [['action', 'migrate'], ...['1001', '1002', ...eligible].map((u): [string, string] => ['user', u])]);
  const deadline = Date.now() + 60_000;
  while (query("select count(*) as n from mig_users where subscription_id = ? and user_id in ('1001', '1002') and state in ('migrated', 'activated')", PROD)[0]!.n !== 2) {
    assert.ok(Date.now() < deadline, 'the admins migrated');
    await new Promise((r) => setTimeout(r, 100));
  }
  await press('/verify-all', []);
  const admin = String(query("select email from mig_users where subscription_id = ? and user_id = '1001'", PROD)[0]!.email);
  // A person whose IMS account has a verified address (a reset link goes only there).
  const second = String(query("select email from ims_accounts where email_verified = 1 and status = 'active' and type = 'personal' and email <> ? order by email limit 1", admin)[0]!.email);

  // The invited admin sets a password, fails once, then signs in to the console through the IMS.
  const invited = new TestBrowser(url);
  const invitation = (await outboxLinks()).find((m) => m.to.toLowerCase() === admin.toLowerCase() && m.text.includes('/ims/account/invite'))!;
  const inviteLink = linkIn(invitation.text, '/ims/account/invite');
  const inviteForm = readForm(await (await invited.request(inviteLink)).text());
  assert.equal((await invited.request(inviteForm.action, { form: { ...inviteForm.fields, password: PASSWORDS.invitation } })).status, 200);
  const guess = new TestBrowser(url);
  const login = await followOnServer(guess, '/console/login?return_to=/console/');
  const loginForm = readForm(await login.response.text());
  assert.equal((await guess.request(loginForm.action, { form: { ...loginForm.fields, email: admin, password: PASSWORDS.wrong } })).status, 401);
  keepCookies(guess);
  const session = await imsConsoleSession({ url }, admin, PASSWORDS.invitation);
  keepCookies(session.browser);
  keep('console CSRF token (IMS session)', session.csrf);

  // A password reset and a sign-up, each through its mailed link; a product-side /verify-email link.
  const person = new TestBrowser(url);
  const resetForm = readForm(await (await person.request('/ims/account/reset')).text());
  assert.equal((await person.request(resetForm.action, { form: { ...resetForm.fields, email: second } })).status, 200);
  const resetMail = (await outboxLinks()).find((m) => m.to.toLowerCase() === second.toLowerCase() && m.text.includes('/ims/account/reset/confirm'))!;
  const confirmForm = readForm(await (await person.request(linkIn(resetMail.text, '/ims/account/reset/confirm'))).text());
  assert.equal((await person.request(confirmForm.action, { form: { ...confirmForm.fields, password: PASSWORDS.reset } })).status, 200);
  const signupForm = readForm(await (await person.request('/ims/account/signup')).text());
  assert.equal((await person.request(signupForm.action, { form: { ...signupForm.fields, email: NEW_PEOPLE[0]!, password: PASSWORDS.signup, firstName: 'New', lastName: 'Person' } })).status, 200);
  const signupMail = (await outboxLinks()).find((m) => m.to === NEW_PEOPLE[0] && m.text.includes('/ims/account/verify'))!;
  const verifyForm = readForm(await (await person.request(linkIn(signupMail.text, '/ims/account/verify'))).text());
  assert.equal((await person.request(verifyForm.action, { form: { ...verifyForm.fields, password: PASSWORDS.signup } })).status, 200);
  keepCookies(person);
  const productMail = (await outboxLinks()).find((m) => m.text.includes('/verify-email?token='));
  assert.ok(productMail, 'verification mails went out');
  const productToken = new URL(linkIn(productMail.text, '/verify-email')).searchParams.get('token')!;
  assert.equal((await fetch(`${url}/verify-email?token=${encodeURIComponent(productToken)}`)).status, 200);
  assert.equal((await fetch(`${url}/verify-email`, { method: 'POST', body: new URLSearchParams({ token: productToken }) })).status, 200);

  // A confidential relying party: consent, code, token exchange with its secret, userinfo.
  const consent = await followOnServer(session.browser, rpAuthorizationPath());
  const consentForm = readForm(await consent.response.text());
  const allowed = await session.browser.request(consentForm.action, { form: { ...consentForm.fields, decision: 'allow' } });
  const back = await followOnServer(session.browser, new URL(allowed.headers.get('location')!, url).href);
  const code = new URL(back.leftTo!).searchParams.get('code')!;
  keep('authorization code', code);
  const tokenResponse = await fetch(`${url}/ims/token`, {
    method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${RP.clientId}:${RP.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: RP.redirectUri, code_verifier: RP_VERIFIER }),
  });
  const tokens = (await tokenResponse.json()) as Record<string, string>;
  assert.equal(tokenResponse.status, 200, JSON.stringify(tokens));
  for (const k of ['access_token', 'id_token', 'refresh_token']) keep(`OIDC ${k}`, tokens[k]);
  assert.equal((await fetch(`${url}/ims/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status, 200);
  await fetch(`${url}/ims/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${RP.clientId}:${PASSWORDS.wrong}`).toString('base64')}` }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }) });

  // SCIM with an org client's bearer token (minted with the server's keys; see tenant-isolation.test.ts for why).
  const store = await openStore({ kind: 'sqlite', path: db });
  let bearer: string;
  try {
    const orgId = String(query('select org_id from mig_subscriptions where subscription_id = ?', PROD)[0]!.org_id);
    const created = await createOrgClient(store, { orgId, name: 'secrets test' });
    keep('org client secret', created.clientSecret);
    bearer = (await createAccessTokens(store, { issuer: `${url}/ims/admin` }).issue((await getOrgClient(store, created.clientId))!, ['scim', 'admin'])).accessToken;
    keep('org bearer token', bearer);
    await fetch(`${url}/ims/admin/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: created.clientId, client_secret: created.clientSecret }) });
  } finally {
    await store[Symbol.asyncDispose]();
  }
  const scim = (method: string, path: string, body?: string, auth = `Bearer ${bearer}`) => fetch(`${url}/scim/v2${path}`, { method, headers: { authorization: auth, 'content-type': 'application/scim+json' }, ...(body ? { body } : {}) });
  const user = await scim('POST', '/Users', JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: NEW_PEOPLE[1], emails: [{ value: NEW_PEOPLE[1], primary: true }], password: PASSWORDS.scim }));
  assert.ok(user.status === 201 || user.status === 400, `SCIM create: ${user.status}`);
  await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${NEW_PEOPLE[1]}"`)}`);
  await scim('POST', '/Users', '{"schemas": [');
  await scim('GET', '/Users', undefined, `Bearer ${bearer.slice(0, -4)}AAAA`);
  await fetch(`${url}/ims/admin/v1/orgs/x/users?email=${encodeURIComponent(admin)}`, { headers: { authorization: `Bearer ${bearer}` } });

  // Requests that fail on purpose: forged and oversized forms, stale interactions, broken cookies and paths.
  await fetch(`${url}/console/s/${PROD}/users/action`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ csrf: 'forged', action: 'skip', user: '1003', reason: admin }) });
  await fetch(`${url}/console/s/${PROD}/users/action`, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ csrf, action: 'skip', reason: 'x', user: 'u'.repeat(70_000) }) });
  await fetch(`${url}/ims/interaction/no-such-interaction/login`, { method: 'POST', body: new URLSearchParams({ email: admin, password: PASSWORDS.wrong }) });
  await fetch(`${url}/console/s/%ZZ/status`, { headers: { cookie: 'rehome_console=%E0%A4%A; ims_csrf=%' } });
  await fetch(`${url}/ims/account/reset`, { method: 'POST', headers: { cookie: session.browser.cookies.get('ims_csrf') ? `ims_csrf=${session.browser.cookies.get('ims_csrf')}` : '' }, body: new URLSearchParams({ email: admin, csrf: 'forged' }) });
  await fetch(`${url}/verify-email?token=${encodeURIComponent(productToken)}x`);

  // The console's exports, and signing out.
  for (const name of ['readiness.csv', 'readiness.html', 'audit.csv']) {
    const r = await fetch(`${url}/console/s/${PROD}/${name}`, { headers: { cookie: session.cookie } });
    assert.equal(r.status, 200, name);
    exports.set(name, await r.text());
  }
  const end = readForm(await (await session.browser.request('/ims/session/end')).text());
  keep('end-session xsrf', end.fields.xsrf);
  await session.browser.request(end.action, { form: { ...end.fields, logout: 'yes' } });
  await fetch(`${url}/console/logout`, { method: 'POST', headers: { cookie: session.cookie }, body: new URLSearchParams({ csrf: session.csrf }) });
  await outboxLinks();

  // The private keys the server signs with (OIDC and the Admin API), as stored.
  for (const row of [...query('select * from ims_signing_keys'), ...query('select private_jwk from admin_signing_keys')]) {
    for (const value of Object.values(row)) for (const m of String(value).matchAll(/"(?:d|p|q|dp|dq|qi)":"([^"]+)"/g)) keep('private key material', m[1]);
  }
  assert.ok([...secrets.keys()].some((k) => k.startsWith('private key material')), 'the signing keys were found');

  serve!.kill('SIGTERM');
  assert.equal(await exited, 0, `rehome serve stopped cleanly:\n${stderr}`);
  assert.match(stdout, /stopped\./);
  flowDone = true;
});

/** Where `text` holds `value`, whole or as a telling part (a long token cut short), plain or URL-encoded. */
function holds(text: string, value: string): boolean {
  const forms = [value, encodeURIComponent(value), Buffer.from(value).toString('base64')];
  if (value.length >= 32) forms.push(value.slice(Math.floor(value.length / 2) - 10, Math.floor(value.length / 2) + 10));
  return forms.some((f) => text.includes(f));
}

test('stdout and stderr of rehome serve hold no secret', () => {
  assert.ok(flowDone && secrets.size > 20, 'the flow ran and met secrets');
  const bootstrapLine = /^ {2}first admin of .*$/gm;
  const outside = `${stdout.replace(bootstrapLine, '')}\n${stderr}`;
  const leaked = [...secrets].filter(([, v]) => holds(outside, v)).map(([k]) => k);
  assert.deepEqual(leaked, [], `leaked into the logs:\n${stdout}\n${stderr}`);
  assert.doesNotMatch(outside, /PRIVATE KEY|"kty":/);
  // The bootstrap link is printed for the operator on its own line, once per subscription, and nowhere else.
  for (const line of stdout.match(bootstrapLine) ?? []) {
    const rest = line.replace(/token=[\w-]+/, 'token=');
    assert.deepEqual([...secrets].filter(([, v]) => holds(rest, v)).map(([k]) => k), [], line);
  }
});

test('stdout and stderr of rehome serve name no person', () => {
  assert.ok(flowDone);
  const logs = `${stdout}\n${stderr}`.toLowerCase();
  const named = addresses().filter((a) => logs.includes(a));
  assert.deepEqual(named, [], `addresses in the logs:\n${stdout}\n${stderr}`);
});

test('the files rehome serve leaves in its working directory hold no secret and no person', () => {
  assert.ok(flowDone);
  const expected = new Set(['rehome.db', 'rehome.db-wal', 'rehome.db-shm', 'ims-clients.json']);
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  const written = walk(dir).map((f) => relative(dir, f)).filter((f) => !expected.has(f));
  for (const file of written) {
    const text = readFileSync(join(dir, file), 'utf8');
    assert.deepEqual([...secrets].filter(([, v]) => holds(text, v)).map(([k]) => k), [], `${file} holds secrets`);
    assert.deepEqual(addresses().filter((a) => text.toLowerCase().includes(a)), [], `${file} names people`);
  }
});

test('the console\'s exports: no secret anywhere; addresses only in the reports that list people', () => {
  assert.deepEqual([...exports.keys()].sort(), ['audit.csv', 'readiness.csv', 'readiness.html']);
  for (const [name, text] of exports) {
    assert.deepEqual([...secrets].filter(([, v]) => holds(text, v)).map(([k]) => k), [], `${name} holds secrets`);
  }
  assert.ok(addresses().some((a) => exports.get('readiness.csv')!.toLowerCase().includes(a)), 'the readiness report lists people (as it should)');
  const details = exports.get('audit.csv')!.split('\r\n').slice(1).map((line) => line.toLowerCase());
  assert.ok(details.length > 10, 'the audit export has rows');
  const named = addresses().filter((a) => details.some((d) => d.includes(a)));
  assert.deepEqual(named, [], 'audit rows carry ids and codes, never addresses (docs/console.md)');
});
