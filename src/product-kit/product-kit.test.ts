// The kit against the real embedded IMS (startServer on 127.0.0.1): code + PKCE, state and nonce checked, the
// identity mapped through the product's link table and never by email.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashPassword } from '../ims/accounts/passwords.ts';
import type { RunningServer } from '../server/http-server.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import { TestBrowser } from '../../test/e2e/support/browser.ts';
import { RP, signInThroughPages, startTestServer } from '../../test/e2e/support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from '../../test/e2e/support/test-databases.ts';
import { createProductKit, type ProductKit } from './product-kit.ts';
import { encodeLoginState, decodeLoginState } from './login-state.ts';
import { isProductKitError } from './product-kit-error.ts';
import type { ImsIdentity, LinkStore } from './link-store.ts';

let database: TestDatabase;
let store: StoreAdapter;
let server: RunningServer;
let issuer: string;
const PASSWORD = 'kit-test-password-0123';
let ann: { id: string; email: string };
let bob: { id: string; email: string };

/** The product's link table, in memory: subject -> product user id. */
const links = new Map<string, string>();
const signIns: string[] = [];
const linkStore: LinkStore = {
  async findLinkedUser(identity: ImsIdentity) {
    return identity.issuer === issuer ? links.get(identity.subject) : undefined;
  },
  async whoToAsk() {
    return ['Ada Admin <ada@acme.example>', 'Grace Admin <grace@acme.example>'];
  },
  async recordSignIn(userId) {
    signIns.push(userId);
  },
};

function kit(overrides: Partial<Parameters<typeof createProductKit>[0]> = {}): ProductKit {
  return createProductKit({ issuer, clientId: RP.clientId, clientSecret: RP.clientSecret, redirectUri: RP.redirectUri, allowInsecureHttp: true, linkStore, ...overrides });
}

/** Starts a login, signs in on the IMS pages, returns the callback URL and the cookie state. */
async function signIn(k: ProductKit, email: string): Promise<{ callback: URL; cookieState: string }> {
  const started = await k.startLogin({ returnTo: '/reports', context: 'ab12' });
  const callback = await signInThroughPages(new TestBrowser(server.url), { url: new URL(started.url), verifier: '', state: '' }, email, PASSWORD);
  return { callback, cookieState: started.cookieState };
}

before(async () => {
  database = sqliteTestDatabase('product-kit');
  store = await database.open();
  server = await startTestServer(store);
  issuer = `${server.url}/ims`;
  const passwordHash = await hashPassword(PASSWORD);
  ann = await server.ims.directory.createAccount({ email: 'ann@acme.example', emailVerified: true, passwordHash, firstName: 'Ann', lastName: 'Lee' });
  bob = await server.ims.directory.createAccount({ email: 'bob@acme.example', emailVerified: true, passwordHash, firstName: 'Bob', lastName: 'Ray' });
  links.set(ann.id, 'product-user-1001');
});

after(async () => {
  await server.close();
  await store[Symbol.asyncDispose]();
  await database.drop();
});

test('refuses an http issuer unless allowInsecureHttp, and only on loopback', () => {
  assert.throws(() => kit({ allowInsecureHttp: false }), (e) => isProductKitError(e, 'invalid_options') && /https/.test(e.message));
  assert.throws(() => kit({ issuer: 'http://ims.example/ims' }), (e) => isProductKitError(e, 'invalid_options'));
  assert.throws(() => kit({ redirectUri: 'not a url' }), (e) => isProductKitError(e, 'invalid_options'));
});

test('startLogin: code flow with S256 PKCE, state and nonce, remembered in the cookie state', async () => {
  const started = await kit().startLogin({ returnTo: '/home', context: 'ab12' });
  const url = new URL(started.url);
  assert.equal(url.origin + url.pathname, `${issuer}/auth`);
  assert.equal(url.searchParams.get('response_type'), 'code');
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  const saved = decodeLoginState(started.cookieState, Math.floor(Date.now() / 1000), 600);
  assert.equal(url.searchParams.get('state'), saved.state);
  assert.equal(url.searchParams.get('nonce'), saved.nonce);
  assert.deepEqual([saved.returnTo, saved.context], ['/home', 'ab12']);
  await assert.rejects(kit().startLogin({ returnTo: '//evil.example/x' }), (e) => isProductKitError(e, 'invalid_options'));
});

test('finishLogin maps (issuer, sub) through the link table to the product user', async () => {
  const k = kit();
  const { callback, cookieState } = await signIn(k, ann.email);
  const done = await k.finishLogin(callback, cookieState);
  assert.deepEqual({ ...done }, { productUserId: 'product-user-1001', identity: { issuer, subject: ann.id }, returnTo: '/reports', context: 'ab12', email: ann.email });
  assert.deepEqual(signIns, ['product-user-1001']);
});

test('an IMS identity without a link is refused with the people to ask, even when its email matches a user', async () => {
  const k = kit();
  const { callback, cookieState } = await signIn(k, bob.email);
  // A stranger to the product is told whom to ask in general, never who the admins are.
  await assert.rejects(k.finishLogin(callback, cookieState), (e) => isProductKitError(e, 'not_linked')
    && e.whoToAsk.length === 0 && !e.message.includes('@') && e.message.includes('an administrator of your subscription'));
});

test('a tampered state is refused before any call to the IMS', async () => {
  const k = kit();
  const { callback, cookieState } = await signIn(k, ann.email);
  const forged = new URL(callback);
  forged.searchParams.set('state', 'attacker-chosen-state-value');
  await assert.rejects(k.finishLogin(forged, cookieState), (e) => isProductKitError(e, 'state_mismatch'));
  // Another browser's login cookie (a login CSRF attempt) does not match either.
  const other = await k.startLogin();
  await assert.rejects(k.finishLogin(callback, other.cookieState), (e) => isProductKitError(e, 'state_mismatch'));
});

test('a tampered nonce is refused (the ID token was issued for another login)', async () => {
  const k = kit();
  const { callback, cookieState } = await signIn(k, ann.email);
  const saved = decodeLoginState(cookieState, Math.floor(Date.now() / 1000), 600);
  const tampered = encodeLoginState({ ...saved, nonce: 'a-different-nonce-of-enough-length' });
  await assert.rejects(k.finishLogin(callback, tampered), (e) => isProductKitError(e, 'nonce_mismatch'));
});

test('a code is good once; a wrong PKCE verifier is refused', async () => {
  const k = kit();
  const first = await signIn(k, ann.email);
  await k.finishLogin(first.callback, first.cookieState);
  await assert.rejects(k.finishLogin(first.callback, first.cookieState), (e) => isProductKitError(e, 'ims_refused'));
  const second = await signIn(k, ann.email);
  const saved = decodeLoginState(second.cookieState, Math.floor(Date.now() / 1000), 600);
  const wrongVerifier = encodeLoginState({ ...saved, codeVerifier: 'x'.repeat(43) });
  await assert.rejects(k.finishLogin(second.callback, wrongVerifier), (e) => isProductKitError(e, 'ims_refused'));
});

test('missing, garbled and stale login cookies are refused with a restart message', async () => {
  const k = kit({ now: () => Date.now() + 3600_000 });
  const { callback, cookieState } = await signIn(kit(), ann.email);
  await assert.rejects(k.finishLogin(callback, cookieState), (e) => isProductKitError(e, 'invalid_login_state'), 'older than loginTtlSeconds');
  await assert.rejects(kit().finishLogin(callback, undefined), (e) => isProductKitError(e, 'invalid_login_state') && /cookies/.test(e.message));
  await assert.rejects(kit().finishLogin(callback, 'garbage'), (e) => isProductKitError(e, 'invalid_login_state'));
});

test('an IMS error answer (access_denied) is ims_refused', async () => {
  const k = kit();
  const started = await k.startLogin();
  const state = new URL(started.url).searchParams.get('state')!;
  const callback = new URL(`${RP.redirectUri}?error=access_denied&state=${state}&iss=${encodeURIComponent(issuer)}`);
  await assert.rejects(k.finishLogin(callback, started.cookieState), (e) => isProductKitError(e, 'ims_refused'));
});

test('discovery and JWKS are fetched once per process, not per login', async () => {
  const calls: string[] = [];
  const spy: typeof fetch = async (input, init) => {
    calls.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
    return fetch(input, init);
  };
  const k = kit({ fetch: spy });
  for (let i = 0; i < 3; i++) {
    const { callback, cookieState } = await signIn(k, ann.email);
    await k.finishLogin(callback, cookieState);
  }
  assert.equal(calls.filter((p) => p.endsWith('/.well-known/openid-configuration')).length, 0, 'discovery was cached by earlier kits of this process');
  assert.equal(calls.filter((p) => p.endsWith('/jwks')).length, 1, 'one JWKS fetch for three logins');
  assert.equal(calls.filter((p) => p.endsWith('/token')).length, 3);
});

test('an unreachable IMS is ims_unavailable, and the next attempt discovers again', async () => {
  const k = kit({ issuer: 'http://127.0.0.1:9/ims' });
  await assert.rejects(k.startLogin(), (e) => isProductKitError(e, 'ims_unavailable'));
  await assert.rejects(k.ready(), (e) => isProductKitError(e, 'ims_unavailable'));
});

test('silent sign-in (prompt=none): someone signed in to the IMS comes back signed in without a page; anyone else comes back with an error that says it was silent', async () => {
  const k = kit();
  const browser = new TestBrowser(server.url);
  const stranger = await k.startLogin({ returnTo: '/#RP1', context: 'ab12', silent: true });
  assert.equal(new URL(stranger.url).searchParams.get('prompt'), 'none');
  const back = await browser.follow(stranger.url, RP.redirectUri);
  assert.equal(new URL(back.url).searchParams.get('error'), 'login_required', 'no IMS session: no page, straight back');
  await assert.rejects(k.finishLogin(back.url, stranger.cookieState), (e) => isProductKitError(e, 'ims_refused')
    && e.login?.silent === true && e.login.returnTo === '/#RP1' && e.login.context === 'ab12');

  // The same browser after an ordinary sign-in: the IMS session answers the silent request with a code.
  const first = await k.startLogin();
  await signInThroughPages(browser, { url: new URL(first.url), verifier: '', state: '' }, ann.email, PASSWORD);
  const silent = await k.startLogin({ returnTo: '/#RP2', context: 'ab12', silent: true });
  const callback = await browser.follow(silent.url, RP.redirectUri);
  assert.ok(new URL(callback.url).searchParams.get('code'), 'a code, without a page');
  const done = await k.finishLogin(callback.url, silent.cookieState);
  assert.deepEqual([done.productUserId, done.returnTo], ['product-user-1001', '/#RP2']);

  // An ordinary login's error is not silent: the product shows it.
  const loud = await k.startLogin();
  const state = new URL(loud.url).searchParams.get('state')!;
  await assert.rejects(k.finishLogin(`${RP.redirectUri}?error=access_denied&state=${state}&iss=${encodeURIComponent(issuer)}`, loud.cookieState), (e) => isProductKitError(e) && e.login?.silent === false);
});
