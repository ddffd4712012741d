// Cross-site request forgery against the composed server (`startRehomeServer`, as `rehome serve` runs it): every
// state-changing route that a browser's cookies authorise refuses a request without the right CSRF token, or from a
// foreign Origin, while a signed-in session cookie is present, and changes nothing. The console's routes come from
// its own tables (route-inventory.ts). Bearer-token APIs (SCIM, Admin API) take no cookies by design: they are
// checked to ignore them. One server for the whole file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { readForm, TestBrowser } from '../e2e/support/browser.ts';
import { ADMIN_API_BASE, ADMIN_API_ROUTES, CONSOLE_SUBSCRIPTION_ROUTES, IMS_ACCOUNT_FORMS, SCIM_BASE, SCIM_ROUTES, subscriptionPath, type Route } from './route-inventory.ts';
import {
  bootstrapSession, consoleFetch, fingerprint, followOnServer, imsConsoleSession, migrateAdmin, orgToken, PROD, RP, SANDBOX, rpAuthorizationPath, startSecurityWorld,
  type ConsoleSessionHandle, type SecurityWorld,
} from './security-world.ts';

const ADMIN_PASSWORD = 'csrf-admin-password-0123456789';
const REFUSED = /came from another site|form has expired/;
let world: SecurityWorld;
let admin: { email: string; subject: string };
let bootstrap: ConsoleSessionHandle;
let other: ConsoleSessionHandle;
let imsAdmin: ConsoleSessionHandle & { browser: TestBrowser };
let orgId: string;

before(async () => {
  world = await startSecurityWorld();
  // Bootstrap links work only until an admin of the subscription has migrated: open those sessions first.
  bootstrap = await bootstrapSession(world, PROD);
  other = await bootstrapSession(world, PROD);
  admin = await migrateAdmin(world, PROD, '1001', ADMIN_PASSWORD);
  imsAdmin = await imsConsoleSession(world, admin.email, ADMIN_PASSWORD);
  orgId = (await world.store.kysely.selectFrom('mig_subscriptions').select('org_id').where('subscription_id', '=', PROD).executeTakeFirstOrThrow()).org_id!;
});

after(async () => {
  await world?.close();
});

interface Forgery {
  label: string;
  body: string;
  query?: string;
  headers?: Record<string, string>;
}

/** Ways to forge a console POST: a missing, wrong or misplaced token, or the right token from another origin. */
function consoleForgeries(s: ConsoleSessionHandle): Forgery[] {
  const date = addDays(localDate(new Date(), 'America/Los_Angeles'), 12);
  const fields = `consent=yes&date=${date}&action=skip&user=1005&reason=forged&acknowledge=yes`;
  const valid = `${fields}&csrf=${encodeURIComponent(s.csrf)}`;
  const port = Number(new URL(world.url).port);
  return [
    { label: 'no token', body: fields },
    { label: 'an empty token', body: `${fields}&csrf=` },
    { label: 'a made-up token of the right length', body: `${fields}&csrf=${'A'.repeat(s.csrf.length)}` },
    { label: 'the token of another session', body: `${fields}&csrf=${encodeURIComponent(other.csrf)}` },
    { label: 'the token in the query string only', body: fields, query: `?csrf=${encodeURIComponent(s.csrf)}` },
    { label: 'the token in a text/plain body (a cross-site form)', body: valid, headers: { 'content-type': 'text/plain' } },
    { label: 'the token in a JSON body', body: JSON.stringify({ csrf: s.csrf, consent: 'yes', date }), headers: { 'content-type': 'application/json' } },
    { label: 'a valid token from https://evil.example', body: valid, headers: { origin: 'https://evil.example' } },
    { label: 'a valid token from Origin null', body: valid, headers: { origin: 'null' } },
    { label: 'a valid token from another port of the same host', body: valid, headers: { origin: `http://127.0.0.1:${port === 65535 ? 1 : port + 1}` } },
    { label: 'a valid token from https on the same host', body: valid, headers: { origin: world.url.replace('http:', 'https:') } },
  ];
}

async function assertForgeriesRefused(path: string, session: ConsoleSessionHandle): Promise<void> {
  const before = await fingerprint(world);
  for (const f of consoleForgeries(session)) {
    const r = await consoleFetch(world, `${path}${f.query ?? ''}`, { method: 'POST', cookie: session.cookie, body: f.body, headers: f.headers ?? {} });
    assert.equal(r.status, 403, `${path} with ${f.label}`);
    assert.match(await r.text(), REFUSED, `${path} with ${f.label}: refused by the CSRF check`);
  }
  assert.deepEqual(await fingerprint(world), before, `${path}: a refused request changed nothing`);
}

test('console: every action refuses a forged POST from a signed-in admin', async (t) => {
  const actions = CONSOLE_SUBSCRIPTION_ROUTES.filter((r) => r.method === 'POST');
  assert.ok(actions.length >= 5, 'the console has actions');
  for (const [kind, session] of [['bootstrap session', () => bootstrap], ['IMS session', () => imsAdmin]] as const) {
    for (const r of actions) {
      const path = subscriptionPath(PROD, r.path);
      await t.test(`POST ${path} (${kind})`, () => assertForgeriesRefused(path, session()));
    }
  }
  await t.test('POST /console/logout', async () => {
    await assertForgeriesRefused('/console/logout', bootstrap);
    const page = await consoleFetch(world, subscriptionPath(PROD, '/status'), { cookie: bootstrap.cookie });
    assert.equal(page.status, 200, 'the session survived the forged sign-outs');
    assert.match(await page.text(), /Sign out/);
  });
  await t.test('the same session\'s token from the console\'s own origin is accepted', async () => {
    const r = await consoleFetch(world, subscriptionPath(PROD, '/users/action'), { method: 'POST', cookie: bootstrap.cookie, body: `csrf=${encodeURIComponent(bootstrap.csrf)}&action=skip`, headers: { origin: world.url } });
    assert.equal(r.status, 303);
  });
});

test('console: other methods are refused and GET changes nothing', async (t) => {
  const valid = `csrf=${encodeURIComponent(bootstrap.csrf)}&consent=yes&acknowledge=yes`;
  const before = await fingerprint(world);
  for (const r of CONSOLE_SUBSCRIPTION_ROUTES) {
    const path = subscriptionPath(PROD, r.path);
    await t.test(`PUT, PATCH, DELETE ${path}`, async () => {
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const res = await consoleFetch(world, path, { method, cookie: bootstrap.cookie, body: valid });
        assert.equal(res.status, 405, `${method} ${path}`);
        await res.arrayBuffer();
      }
    });
    // `/confirm` is a page (GET) and an action (POST): only paths that are actions alone must not answer GET.
    if (r.method !== 'POST' || CONSOLE_SUBSCRIPTION_ROUTES.some((p) => p.method === 'GET' && p.path === r.path)) continue;
    await t.test(`GET ${path} (an action)`, async () => {
      const res = await consoleFetch(world, `${path}?${valid}`, { cookie: bootstrap.cookie });
      assert.equal(res.status, 404, `GET ${path} is not the action`);
      await res.arrayBuffer();
    });
  }
  assert.deepEqual(await fingerprint(world), before);
});

test('console: the bootstrap sign-in refuses a foreign Origin (login CSRF) without spending the link', async () => {
  // The sandbox: no admin of it has migrated, so its links still open the console.
  const link = await createBootstrapLink(world.store, SANDBOX);
  const token = new URL(link.path, world.url).searchParams.get('token')!;
  for (const origin of ['https://evil.example', world.url.replace('http:', 'https:')]) {
    const r = await consoleFetch(world, '/console/bootstrap', { method: 'POST', body: `token=${token}`, headers: { origin } });
    assert.equal(r.status, 403, origin);
    assert.equal(r.headers.getSetCookie().some((c) => /^rehome_console=[^;]/.test(c)), false, 'no session');
  }
  const ok = await consoleFetch(world, '/console/bootstrap', { method: 'POST', body: `token=${token}`, headers: { origin: world.url } });
  assert.equal(ok.status, 303, 'the link still works for its owner');
});

/** A POST to an IMS form as `browser`, with its cookies, optionally replacing the token cookie. */
function imsPost(browser: TestBrowser, path: string, form: Record<string, string>, opts: { origin?: string; dropCsrfCookie?: boolean } = {}): Promise<Response> {
  const cookies = [...browser.cookies].filter(([k]) => !(opts.dropCsrfCookie && k === 'ims_csrf')).map(([k, v]) => `${k}=${v}`).join('; ');
  return fetch(`${world.url}${path}`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams(form),
    headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded', ...(opts.origin ? { origin: opts.origin } : {}) },
  });
}

/** The IMS's CSRF token for `browser` (one per browser, the same in every form; read from the reset form). */
async function imsToken(browser: TestBrowser): Promise<string> {
  return readForm(await (await browser.request('/ims/account/reset')).text()).fields.csrf!;
}

/** The forgeries of an IMS form: `token` is the victim's valid token, `foreign` a valid token of another browser. */
function imsForgeries(token: string, foreign: string): { label: string; csrf?: string; origin?: string; dropCsrfCookie?: boolean }[] {
  const port = Number(new URL(world.url).port);
  return [
    { label: 'no token' },
    { label: 'a made-up token of the right length', csrf: 'A'.repeat(token.length) },
    { label: 'another browser\'s valid token', csrf: foreign },
    { label: 'a valid token without its cookie', csrf: token, dropCsrfCookie: true },
    { label: 'a valid token from https://evil.example', csrf: token, origin: 'https://evil.example' },
    { label: 'a valid token from another port of the same host', csrf: token, origin: `http://127.0.0.1:${port === 65535 ? 1 : port + 1}` },
  ];
}

test('IMS: every self-service form refuses a forged POST while the person is signed in to the IMS', async (t) => {
  const browser = imsAdmin.browser;
  assert.ok([...browser.cookies.keys()].some((k) => k.startsWith('_session')), 'signed in to the IMS');
  for (const path of IMS_ACCOUNT_FORMS) {
    await t.test(`POST ${path}`, async () => {
      const [token, foreign] = await Promise.all([imsToken(browser), imsToken(new TestBrowser(world.url))]);
      const fields = { email: admin.email, password: ADMIN_PASSWORD, newEmail: 'attacker@evil.example', firstName: 'Eve', lastName: 'Forged', token: 'x'.repeat(43) };
      const before = await fingerprint(world);
      for (const f of imsForgeries(token, foreign)) {
        const r = await imsPost(browser, path, { ...fields, ...(f.csrf !== undefined ? { csrf: f.csrf } : {}) }, f);
        assert.equal(r.status, 403, `${path} with ${f.label}`);
        await r.arrayBuffer();
      }
      assert.deepEqual(await fingerprint(world), before, `${path}: a refused request changed nothing`);
    });
  }
  await t.test('PUT, PATCH, DELETE on every self-service form', async () => {
    const before = await fingerprint(world);
    const token = await imsToken(browser);
    for (const path of IMS_ACCOUNT_FORMS) {
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
        const r = await fetch(`${world.url}${path}`, { method, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: token, email: admin.email, password: ADMIN_PASSWORD }) });
        assert.equal(r.status, 404, `${method} ${path}`);
        await r.arrayBuffer();
      }
    }
    assert.deepEqual(await fingerprint(world), before);
  });
  await t.test('the token from the IMS\'s own pages is accepted (Origin: the IMS, null, or none)', async () => {
    const path = '/ims/account/reset';
    const token = await imsToken(browser);
    // IMS pages send no referrer, so a browser posts their forms with `Origin: null`.
    for (const origin of [world.url, 'null', undefined]) {
      const r = await imsPost(browser, path, { csrf: token, email: 'nobody@nowhere.example' }, origin ? { origin } : {});
      assert.equal(r.status, 200, `Origin ${origin}`);
      await r.arrayBuffer();
    }
  });
});

test('IMS: the login and consent prompts refuse forged POSTs', async (t) => {
  const browser = new TestBrowser(world.url);
  const attacker = new TestBrowser(world.url);
  const login = await followOnServer(browser, rpAuthorizationPath());
  assert.match(login.url.pathname, /^\/ims\/interaction\/[\w-]+$/);
  const loginForm = readForm(await login.response.text());
  const foreignToken = await imsToken(attacker);
  await t.test(`POST ${loginForm.action}`, async () => {
    const before = await fingerprint(world);
    for (const f of imsForgeries(loginForm.fields.csrf!, foreignToken)) {
      const r = await imsPost(browser, loginForm.action, { email: admin.email, password: ADMIN_PASSWORD, ...(f.csrf !== undefined ? { csrf: f.csrf } : {}) }, f);
      assert.equal(r.status, 403, `login with ${f.label}`);
      await r.arrayBuffer();
    }
    assert.deepEqual(await fingerprint(world), before);
  });
  const signedIn = await imsPost(browser, loginForm.action, { ...loginForm.fields, email: admin.email, password: ADMIN_PASSWORD });
  assert.equal(signedIn.status, 303, 'the real login goes through');
  const consent = await followOnServer(browser, new URL(signedIn.headers.get('location')!, world.url).href);
  const consentForm = readForm(await consent.response.text());
  assert.match(consentForm.action, /\/consent$/, 'a third-party client asks for consent');
  await t.test(`POST ${consentForm.action}`, async () => {
    for (const f of imsForgeries(consentForm.fields.csrf!, foreignToken)) {
      const r = await imsPost(browser, consentForm.action, { decision: 'allow', ...(f.csrf !== undefined ? { csrf: f.csrf } : {}) }, f);
      assert.equal(r.status, 403, `consent with ${f.label}`);
      await r.arrayBuffer();
    }
    const allowed = await imsPost(browser, consentForm.action, { ...consentForm.fields, decision: 'allow' });
    assert.equal(allowed.status, 303);
    const done = await followOnServer(browser, new URL(allowed.headers.get('location')!, world.url).href);
    assert.ok(done.leftTo?.startsWith(`${RP.redirectUri}?`), 'only the real consent reaches the relying party');
  });
});

test('IMS: signing out (oidc-provider end_session) needs its own xsrf token', async () => {
  const browser = imsAdmin.browser;
  const page = await (await browser.request('/ims/session/end')).text();
  assert.match(page, /name="xsrf"/);
  const r = await imsPost(browser, '/ims/session/end/confirm', { logout: 'yes' });
  assert.equal(r.status, 400);
  await r.arrayBuffer();
  const again = await followOnServer(browser, '/console/login?return_to=/console/', (u) => u.pathname === '/console/callback');
  assert.equal(again.url.pathname, '/console/callback', 'still signed in to the IMS: no login prompt');
});

/** A bearer route's path with its placeholders filled for `orgId`. */
const fill = (r: Route, base: string) => `${base}${r.path.replace('{orgId}', encodeURIComponent(orgId)).replace(/\{[a-zA-Z]+\}/g, 'no-such-id')}`;

test('bearer APIs (SCIM, Admin API, token endpoint) ignore cookies: a signed-in browser gets nothing from them', async (t) => {
  const cookie = [...imsAdmin.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') + `; ${imsAdmin.cookie}`;
  const bearer = [...SCIM_ROUTES.map((r) => ({ r, path: fill(r, SCIM_BASE) })), ...ADMIN_API_ROUTES.map((r) => ({ r, path: fill(r, ADMIN_API_BASE) }))].filter((x) => x.r.guard === 'bearer');
  const { token } = await orgToken(world, orgId);
  const before = await fingerprint(world);
  for (const { r, path } of bearer) {
    await t.test(`${r.method} ${path}`, async () => {
      const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}';
      const headers = { cookie, 'content-type': path.startsWith(SCIM_BASE) ? 'application/scim+json' : 'application/json', origin: world.url };
      const anonymous = await fetch(`${world.url}${path}`, { method: r.method, headers, ...(body ? { body } : {}) });
      assert.equal(anonymous.status, 401, 'cookies are not credentials');
      assert.deepEqual(anonymous.headers.getSetCookie(), []);
      await anonymous.arrayBuffer();
      if (r.method !== 'GET') return;
      const withCookies = await fetch(`${world.url}${path}`, { headers: { ...headers, authorization: `Bearer ${token}` } });
      const without = await fetch(`${world.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(withCookies.status, without.status, 'cookies change nothing for a token holder');
      assert.deepEqual(await withCookies.json().catch(() => null), await without.json().catch(() => null));
    });
  }
  await t.test('POST /ims/admin/token', async () => {
    const r = await fetch(`${world.url}/ims/admin/token`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    assert.ok(r.status === 400 || r.status === 401, `answered ${r.status}`);
    assert.equal(((await r.json()) as { access_token?: string }).access_token, undefined);
  });
  await t.test('POST /verify-email and /verify-email/resend (the link token is the authority)', async () => {
    for (const path of ['/verify-email', '/verify-email/resend']) {
      const r = await fetch(`${world.url}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=' });
      assert.equal(r.status, 400, path);
      assert.deepEqual(r.headers.getSetCookie(), []);
      await r.arrayBuffer();
    }
  });
  assert.deepEqual(await fingerprint(world), before);
});
