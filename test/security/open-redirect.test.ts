// Open redirects against the composed server (`startRehomeServer`, as `rehome serve` runs it): no route sends a
// browser to another origin because of what a request carries. Every GET route of the inventory is swept with the
// usual redirect parameters set to hostile values (another origin, `//host`, `/\host`, `javascript:`, encoded and
// whitespace variants), signed in and signed out, and every Location header and every link, form action and
// fragment-page target of the answer is checked; then the routes that really redirect are driven end to end:
// the console's sign-in `return_to`, the IMS's `return_to` continue links, the OpenID Connect `redirect_uri` and
// `post_logout_redirect_uri`, the User Migration tab's `return`, the redirect service's rules, and /verify-email.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { CONSOLE_CLIENT_ID } from '../../src/app/console-client.ts';
import { isRelativePath } from '../../src/product-kit/login-state.ts';
import { decodeEntities, readForm, TestBrowser } from '../e2e/support/browser.ts';
import {
  CONSOLE_ROUTES, CONSOLE_SUBSCRIPTION_ROUTES, IMS_ACCOUNT_FORMS, IMS_ROUTES, OTHER_ROUTES, oidcEndpoints, SCIM_BASE, SCIM_ROUTES, subscriptionPath, VERIFY_EMAIL_ROUTES,
} from './route-inventory.ts';
import {
  bootstrapSession, consoleFetch, followOnServer, imsConsoleSession, migrateAdmin, NEW_PRODUCT, PROD, PRODUCT_URL, RP, rpAuthorizationPath, SANDBOX, startSecurityWorld,
  type ConsoleSessionHandle, type SecurityWorld,
} from './security-world.ts';

const ADMIN_PASSWORD = 'redirect-admin-password-0123456789';

/** Where a hostile request wants to send people: other origins, scheme tricks, encodings and whitespace. */
const HOSTILE = [
  'https://evil.example', 'https://evil.example/console/', 'http://evil.example/ims/account/done', '//evil.example', '//evil.example/console/',
  '/\\evil.example', '\\\\evil.example', '\\/evil.example', '/\\/evil.example', 'https:evil.example', 'https:/evil.example', '///evil.example',
  '/\t/evil.example', '/\n/evil.example', ' //evil.example', 'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>',
  '%2F%2Fevil.example', '/%2F%2Fevil.example', '%252F%252Fevil.example', 'https%3A%2F%2Fevil.example', '/console//evil.example', '/ims//evil.example',
  '/console/..//evil.example', '/ims/account/../..//evil.example', '/console/\\evil.example', '/ims/\\evil.example', 'http://127.0.0.1@evil.example',
];
/** Parameter names that route code commonly reads a return address from. */
const PARAMS = ['return_to', 'returnTo', 'return', 'next', 'redirect', 'redirect_to', 'redirect_uri', 'post_logout_redirect_uri', 'continue', 'url', 'to', 'goto', 'target', 'destination', 'callback'];

let world: SecurityWorld;
let admin: { email: string; subject: string };
let sandbox: ConsoleSessionHandle;
let imsAdmin: ConsoleSessionHandle & { browser: TestBrowser };

before(async () => {
  world = await startSecurityWorld();
  sandbox = await bootstrapSession(world, SANDBOX);
  admin = await migrateAdmin(world, PROD, '1001', ADMIN_PASSWORD);
  imsAdmin = await imsConsoleSession(world, admin.email, ADMIN_PASSWORD);
});

after(async () => {
  await world?.close();
});

/** True when a browser following `target` from `base` would leave for a place the server does not vouch for. */
function leaves(target: string, base: URL, allowed: readonly string[] = []): boolean {
  let u: URL;
  try {
    u = new URL(target, base);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return true;
  return u.origin !== base.origin && !allowed.includes(u.origin);
}

/** Links, form targets, meta refreshes and the fragment page's JSON that a page would send a browser to. */
function sinks(body: string): string[] {
  const out = [...body.matchAll(/\b(?:href|action|formaction|src)\s*=\s*"([^"]*)"/gi)].map((m) => decodeEntities(m[1]!));
  for (const m of body.matchAll(/http-equiv="?refresh"?[^>]*content="[^"]*url=([^"]*)"/gi)) out.push(decodeEntities(m[1]!));
  const data = /<script type="application\/json" id="rehome-redirect">([\s\S]*?)<\/script>/.exec(body);
  if (data) {
    const d = JSON.parse(data[1]!) as { fb: string | null; a: [string, string][] };
    if (d.fb) out.push(d.fb);
    for (const [protocol, host] of d.a) out.push(`${protocol}//${host}/`);
  }
  return out;
}

/** Asserts that an answer neither redirects nor links anywhere hostile. */
async function assertStaysHome(r: Response, requestUrl: string, label: string, allowed: readonly string[] = []): Promise<void> {
  const base = new URL(requestUrl, world.url);
  const location = r.headers.get('location');
  if (location !== null) assert.ok(!leaves(location, base, allowed), `${label}: redirects to ${location}`);
  if (!(r.headers.get('content-type') ?? '').includes('html')) {
    await r.body?.cancel();
    return;
  }
  // A same-origin link may carry the hostile value in its query (it is data there); what counts is where it leads.
  for (const target of sinks(await r.text())) {
    assert.ok(!leaves(target, base, allowed), `${label}: the page points to ${target}`);
  }
}

const hostileQuery = (value: string) => new URLSearchParams(PARAMS.map((p) => [p, value])).toString();

/** Every GET route of the inventory, with placeholders filled; `/events` never ends and is read for headers only. */
async function getRoutes(): Promise<string[]> {
  const fill = (p: string) => p.replace(/\{[a-zA-Z]+\}/g, 'Users');
  return [
    ...CONSOLE_ROUTES.filter((r) => r.method === 'GET').map((r) => r.path),
    ...CONSOLE_SUBSCRIPTION_ROUTES.filter((r) => r.method === 'GET').map((r) => subscriptionPath(PROD, r.path)),
    ...IMS_ROUTES.filter((r) => r.method === 'GET' && !r.path.includes(':uid')).map((r) => r.path),
    ...SCIM_ROUTES.filter((r) => r.method === 'GET' && r.guard === 'public').map((r) => `${SCIM_BASE}${fill(r.path)}`),
    ...[...VERIFY_EMAIL_ROUTES, ...OTHER_ROUTES].filter((r) => r.method === 'GET').map((r) => r.path),
    ...(await oidcEndpoints(world.url)).map((e) => e.path),
    '/old-app/files/report.pdf', '/old-app/',
  ];
}

async function get(path: string, cookie: string | undefined): Promise<Response> {
  const controller = new AbortController();
  const r = await fetch(`${world.url}${path}`, { redirect: 'manual', signal: controller.signal, headers: cookie ? { cookie } : {} });
  if ((r.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const headersOnly = new Response(null, { status: r.status, headers: r.headers });
    controller.abort();
    return headersOnly;
  }
  return r;
}

test('the checker flags what a browser would follow off the server', () => {
  const base = new URL(world.url);
  for (const bad of ['https://evil.example', '//evil.example', '/\\evil.example', '\\\\evil.example', 'https:evil.example', '/\t/evil.example', ' //evil.example', 'javascript:alert(1)', 'http://127.0.0.1@evil.example']) {
    assert.ok(leaves(bad, base), JSON.stringify(bad));
  }
  for (const good of ['/console/', '/%2F%2Fevil.example', '%2F%2Fevil.example', `/console/login?return_to=${encodeURIComponent('//evil.example')}`, world.url]) assert.ok(!leaves(good, base), good);
  assert.deepEqual(sinks('<a href="//evil.example">x</a><form action="javascript:x"></form><meta http-equiv="refresh" content="0;url=https://evil.example">'), ['//evil.example', 'javascript:x', 'https://evil.example']);
});

test('every GET route ignores hostile return addresses, signed in or not', async (t) => {
  const signedIn = [...imsAdmin.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  for (const path of await getRoutes()) {
    await t.test(`GET ${path}`, async () => {
      for (const value of HOSTILE) {
        const url = `${path}${path.includes('?') ? '&' : '?'}${hostileQuery(value)}`;
        // Signed out, only the console's pages differ (a sign-in page with a return link); the rest answer alike.
        const as = path.startsWith('/console/s/') ? [['signed in', signedIn], ['signed out', undefined]] as const : [['signed in', signedIn]] as const;
        for (const [who, cookie] of as) {
          // The configured product is linked by the help page: the operator's address, never the request's.
          await assertStaysHome(await get(url, cookie), url, `${who}, ${JSON.stringify(value)}`, [NEW_PRODUCT, new URL(PRODUCT_URL).origin]);
        }
      }
    });
  }
});

test('console: sign-in comes back only to a console page, whatever return_to says', async (t) => {
  const browser = imsAdmin.browser;
  for (const value of HOSTILE) {
    await t.test(`GET /console/login?return_to=${JSON.stringify(value)}`, async () => {
      const hop = await followOnServer(browser, `/console/login?return_to=${encodeURIComponent(value)}`, (u) => u.pathname === '/console/callback');
      assert.equal(hop.url.pathname, '/console/callback', 'signed in to the IMS already: straight back to the console');
      const location = hop.response.headers.get('location')!;
      assert.ok(!leaves(location, hop.url), `back to ${location}`);
      assert.ok(new URL(location, hop.url).pathname.startsWith('/console/'), `back to ${location}`);
    });
  }
  await t.test('the sign-in link of a signed-out page keeps a console path only', async () => {
    for (const value of HOSTILE) {
      const path = `${subscriptionPath(PROD, '/users')}?q=${encodeURIComponent(value)}`;
      const r = await consoleFetch(world, path);
      assert.equal(r.status, 401);
      const link = sinks(await r.text()).find((h) => h.startsWith('/console/login'))!;
      const returnTo = new URL(link, world.url).searchParams.get('return_to')!;
      assert.ok(returnTo.startsWith('/console/') && !leaves(returnTo, new URL(world.url)), `return_to ${returnTo}`);
    }
  });
});

test('console: the User Migration tab\'s return field stays on that tab', async (t) => {
  for (const value of [...HOSTILE, `${subscriptionPath(SANDBOX, '/users')}//evil.example`, `${subscriptionPath(SANDBOX, '/users')}/\\evil.example`, `${subscriptionPath(SANDBOX, '/users')}\r\nLocation: https://evil.example`]) {
    await t.test(`POST ${subscriptionPath(SANDBOX, '/users/action')} return=${JSON.stringify(value)}`, async () => {
      const r = await consoleFetch(world, subscriptionPath(SANDBOX, '/users/action'), { method: 'POST', cookie: sandbox.cookie, body: new URLSearchParams({ csrf: sandbox.csrf, action: 'unskip', return: value }).toString() });
      assert.equal(r.status, 303);
      const location = r.headers.get('location')!;
      assert.ok(!leaves(location, new URL(world.url)) && new URL(location, world.url).pathname.startsWith(subscriptionPath(SANDBOX, '')), `to ${location}`);
    });
  }
});

test('console: every action redirects only within the console', async (t) => {
  for (const r of CONSOLE_SUBSCRIPTION_ROUTES.filter((x) => x.method === 'POST')) {
    const path = subscriptionPath(SANDBOX, r.path);
    await t.test(`POST ${path}`, async () => {
      for (const value of HOSTILE.slice(0, 8)) {
        const res = await consoleFetch(world, path, { method: 'POST', cookie: sandbox.cookie, body: `csrf=${encodeURIComponent(sandbox.csrf)}&${hostileQuery(value)}` });
        assert.equal(res.status, 303);
        await assertStaysHome(res, path, JSON.stringify(value));
      }
    });
  }
});

test('IMS: the continue links of the self-service forms stay in the IMS', async (t) => {
  const browser = new TestBrowser(world.url);
  const csrf = readForm(await (await browser.request('/ims/account/reset')).text()).fields.csrf!;
  const continues = new Set(['/ims/account/signup', '/ims/account/reset']);
  for (const path of IMS_ACCOUNT_FORMS) {
    await t.test(`GET and POST ${path}`, async () => {
      for (const [i, value] of HOSTILE.entries()) {
        const url = `${path}?${hostileQuery(value)}`;
        await assertStaysHome(await browser.request(url), url, `GET ${JSON.stringify(value)}`);
        // Only sign-up and reset show a Continue link; the other forms are posted with every fourth value (some hash
        // a password even for a bad link, to take the same time).
        if (!continues.has(path) && i % 4 !== 0) continue;
        // The forms that succeed without a mailed link show a Continue link: reset, and sign-up with a fresh
        // address (every fourth value: each sign-up hashes a password).
        const email = path === '/ims/account/signup' && i % 4 === 0 ? `redirect-${i}@people.example` : 'nobody@nowhere.example';
        const posted = await browser.request(url, { form: { csrf, email, password: 'a long enough password', ...Object.fromEntries(PARAMS.map((p) => [p, value])) } });
        assert.notEqual(posted.status, 403, 'the CSRF token is valid');
        await assertStaysHome(posted, url, `POST ${JSON.stringify(value)}`);
      }
    });
  }
});

test('IMS: redirect_uri must be one the client registered, exactly', async (t) => {
  const registered = new URL(RP.redirectUri);
  const near = [
    `${RP.redirectUri}.evil.example`, `${RP.redirectUri}/../../evil`, `${RP.redirectUri}?next=https://evil.example`, `${RP.redirectUri}#https://evil.example`,
    `https://rp.example.evil.example${registered.pathname}`, `https://rp.example@evil.example${registered.pathname}`, `http://rp.example${registered.pathname}`,
    RP.redirectUri.toUpperCase(), `${world.url}/console/callback`,
  ];
  for (const clientId of [RP.clientId, CONSOLE_CLIENT_ID]) {
    for (const value of [...HOSTILE, ...near]) {
      await t.test(`GET /ims/auth client_id=${clientId} redirect_uri=${JSON.stringify(value)}`, async () => {
        if (clientId === CONSOLE_CLIENT_ID && value === `${world.url}/console/callback`) return;
        for (const browser of [imsAdmin.browser, new TestBrowser(world.url)]) {
          const path = rpAuthorizationPath({ client_id: clientId, redirect_uri: value });
          const hop = await followOnServer(browser, path);
          assert.equal(hop.leftTo, undefined, `sent to ${hop.leftTo}`);
          await assertStaysHome(hop.response, hop.url.href, 'the answer');
        }
      });
    }
  }
});

test('IMS: post_logout_redirect_uri must be one the client registered', async (t) => {
  for (const value of [...HOSTILE, `${RP.postLogoutRedirectUri}.evil.example`, `${RP.postLogoutRedirectUri}/../../evil`, `https://rp.example@evil.example/signed-out`]) {
    for (const clientId of [RP.clientId, CONSOLE_CLIENT_ID, undefined]) {
      await t.test(`GET /ims/session/end client_id=${clientId ?? '(none)'} post_logout_redirect_uri=${JSON.stringify(value)}`, async () => {
        const query = new URLSearchParams({ post_logout_redirect_uri: value, ...(clientId ? { client_id: clientId } : {}) });
        const browser = new TestBrowser(world.url);
        for (const [k, v] of imsAdmin.browser.cookies) browser.cookies.set(k, v);
        const hop = await followOnServer(browser, `/ims/session/end?${query}`);
        assert.equal(hop.leftTo, undefined, `sent to ${hop.leftTo}`);
        const page = await hop.response.text();
        if (!/name="xsrf"/.test(page)) return;
        // The confirmation form is shown only for an acceptable request; confirming must not leave either.
        const form = readForm(page);
        const done = await browser.request(form.action, { form: { ...form.fields, logout: 'yes' } });
        const location = done.headers.get('location');
        assert.ok(location === null || !leaves(location, new URL(world.url)), `signed out to ${location}`);
      });
    }
  }
});

test('redirect service: rules decide the target, never the request', async (t) => {
  const allowed = [NEW_PRODUCT];
  const paths = [
    '/old-app/files//evil.example', '/old-app/files/%2F%2Fevil.example', '/old-app/files/..%2F..%2F..%2F%2Fevil.example', '/old-app/files/%5Cevil.example',
    '/old-app/files/%5C%5Cevil.example', '/old-app/files/@evil.example', '/old-app/files/%40evil.example', '/old-app/files/javascript:alert(1)',
    '/old-app/files/%0d%0aLocation:%20https://evil.example', '/old-app/files/x?next=https://evil.example&return_to=//evil.example',
    '/old-app/?next=https://evil.example', '/old-app/%2F%2Fevil.example', '/old-app//evil.example',
  ];
  for (const path of paths) {
    await t.test(`GET ${path}`, async () => {
      for (const host of [undefined, 'evil.example', 'new.example']) {
        const r = await rawGet(path, host);
        if (r.location) assert.ok(!leaves(r.location, new URL(world.url), allowed) && new URL(r.location).host === 'new.example', `to ${r.location}`);
        for (const target of sinks(r.body)) assert.ok(!leaves(target, new URL(world.url), allowed), `the page points to ${target}`);
      }
    });
  }
  await t.test('GET with an absolute-form target naming another host', async () => {
    const r = await rawGet('http://evil.example/old-app/files/x', undefined);
    assert.ok(r.location === undefined || new URL(r.location).host === 'new.example', `to ${r.location}`);
  });
});

/** A GET with a raw request target and Host header (what fetch cannot send). */
function rawGet(target: string, host: string | undefined): Promise<{ status: number; location?: string; body: string }> {
  const { hostname, port } = new URL(world.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path: target, method: 'GET', headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, ...(res.headers.location ? { location: res.headers.location } : {}), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/verify-email: a live link\'s pages only post back to /verify-email', async (t) => {
  const user = await world.store.kysely.selectFrom('mig_users').select(['user_id', 'email']).where('subscription_id', '=', SANDBOX).where('admin', '=', 0).orderBy('user_id').executeTakeFirstOrThrow();
  const { url } = await world.server.app.comms('test:security').links.issue({ sendKey: 'security-open-redirect', subscriptionId: SANDBOX, userId: user.user_id, email: user.email });
  const token = new URL(url).searchParams.get('token')!;
  for (const value of HOSTILE) {
    await t.test(`GET /verify-email (live link) ${JSON.stringify(value)}`, async () => {
      const path = `/verify-email?token=${encodeURIComponent(token)}&${hostileQuery(value)}`;
      const r = await consoleFetch(world, path);
      assert.equal(r.status, 200);
      await assertStaysHome(r, path, 'the confirm page');
    });
  }
  await t.test('POST /verify-email (live link)', async () => {
    const r = await consoleFetch(world, `/verify-email?${hostileQuery('https://evil.example')}`, { method: 'POST', body: `token=${encodeURIComponent(token)}&${hostileQuery('//evil.example')}` });
    assert.equal(r.status, 200);
    await assertStaysHome(r, '/verify-email', 'the verified page');
  });
});

test('product kit (Engage\'s "Continue with IMS"): a returnTo that would leave is never kept', () => {
  // The product is not part of `rehome serve`; its return path after sign-in is the kit's `returnTo`, kept only
  // when `isRelativePath` accepts it (src/product-kit/login-state.ts).
  const base = new URL('https://product.example/app/');
  for (const value of HOSTILE) if (leaves(value, base)) assert.ok(!isRelativePath(value), JSON.stringify(value));
});
