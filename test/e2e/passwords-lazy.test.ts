/**
 * Passwords, way 3 (`lazy`): nothing moves up front; the first IMS sign-in of an account without a password asks the
 * product (a tiny stub of the product's Rehome API on 127.0.0.1, through the REST verifier), stores argon2id, and
 * never asks again. Wrong passwords are throttled like any other; an unreachable product counts nothing.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import type * as oidc from 'openid-client';
import { createRestPasswordVerifier } from '../../src/adapters/product/rest/rest-password-verifier.ts';
import { provisionOrgUser } from '../../src/ims/admin-api/provision-org-user.ts';
import { createEmbeddedIms, type EmbeddedIms } from '../../src/ims/embedded-ims.ts';
import { verifyPassword } from '../../src/ims/passwords/legacy-hash.ts';
import { createPasswordProvisioner } from '../../src/adapters/passwords/password-provisioner.ts';
import { isProductSourceError } from '../../src/ports/product-source.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { readForm, TestBrowser } from './support/browser.ts';
import { discoverRp, signInAndGetTokens, startAuthorization, testImsConfig } from './support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from './support/test-databases.ts';

const SUB = 'SUB-LAZY-1';
const API_TOKEN = 'product-api-token-0123456789abcdef';

/** The product's side of the contract: POST /api/rehome/v1/subscriptions/{sub}/users/{id}/verify-password. */
async function startProductStub(passwords: Record<string, string>) {
  const hashes = new Map(await Promise.all(Object.entries(passwords).map(async ([id, pw]) => [id, await bcrypt.hash(pw, 4)] as const)));
  const state = { calls: [] as string[], down: false };
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    const match = /^\/api\/rehome\/v1\/subscriptions\/([^/]+)\/users\/([^/]+)\/verify-password$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return send(404, { error: { code: 'not_found', message: 'no route' } });
    if (req.headers.authorization !== `Bearer ${API_TOKEN}`) return send(401, { error: { code: 'unauthorized', message: 'token' } });
    let body = '';
    for await (const chunk of req) body += chunk;
    const userId = decodeURIComponent(match[2]!);
    state.calls.push(`${decodeURIComponent(match[1]!)}/${userId}`);
    if (state.down) return send(503, { error: { code: 'unavailable', message: 'maintenance' } });
    const hash = decodeURIComponent(match[1]!) === SUB ? hashes.get(userId) : undefined;
    if (!hash) return send(404, { error: { code: 'not_found', message: `No user ${userId}.` } });
    send(200, { ok: await bcrypt.compare(String(JSON.parse(body).password), hash) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, state, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/rehome/v1` };
}

/** The IMS with a legacy-password verifier (an optional dependency of createEmbeddedIms), on its own node:http server. */
async function startIms(store: StoreAdapter, productBaseUrl: string): Promise<{ ims: EmbeddedIms; url: string; server: Server }> {
  let handler: EmbeddedIms['handler'] | undefined;
  const server = createServer((req, res) => {
    void handler!(req, res).then((answered) => { if (!answered) { res.statusCode = 404; res.end(); } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ims = await createEmbeddedIms({
    store,
    config: testImsConfig(url, { throttle: { maxFailuresPerAccount: 3 } }),
    legacyPasswords: createRestPasswordVerifier({ baseUrl: productBaseUrl, token: API_TOKEN }),
  });
  handler = ims.handler;
  return { ims, url, server };
}

let database: TestDatabase;
let store: StoreAdapter;
let product: Awaited<ReturnType<typeof startProductStub>>;
let ims: EmbeddedIms;
let imsUrl: string;
let imsServer: Server;
let rp: oidc.Configuration;
let orgId: string;

before(async () => {
  database = sqliteTestDatabase('pwlazy');
  store = await database.open();
  product = await startProductStub({ 'u-1': 'old-pw-1', 'u-2': 'old-pw-2', 'u-3': 'old-pw-3', 'u-9': 'old-pw-9' });
  ({ ims, url: imsUrl, server: imsServer } = await startIms(store, product.baseUrl));
  rp = await discoverRp({ url: imsUrl } as never);
  orgId = (await ims.directory.createOrg({ name: 'Lazy Corp' })).id;
  const provisioner = createPasswordProvisioner({ db: store.kysely, idp: { kind: 'embedded', directory: ims.directory, invitations: ims.invitations } });
  await provisioner.prepareSubscription({ subscriptionId: SUB, orgId, strategy: 'lazy', actor: 'test' });
  for (const id of ['u-1', 'u-2', 'u-3']) {
    const { account } = await provisionOrgUser(ims.directory, orgId, { email: `${id}@lazy.example`, externalId: id });
    assert.deepEqual(await provisioner.onAccountReady({ subscriptionId: SUB, userId: id, email: account.email, accountId: account.id, created: true }), { action: 'lazy' });
  }
  assert.equal((await ims.outbox.list()).length, 0, 'lazy mails nobody');
});

after(async () => {
  await new Promise<void>((resolve) => imsServer.close(() => resolve()));
  await new Promise<void>((resolve) => product.server.close(() => resolve()));
  await store[Symbol.asyncDispose]();
  await database.drop();
});

/** Posts the login form of a fresh authorization; returns the answer (303 on success). */
async function postLogin(email: string, password: string): Promise<Response> {
  const browser = new TestBrowser(imsUrl);
  const start = await startAuthorization(rp);
  const login = await browser.follow(start.url.href);
  const form = readForm(await login.response.text());
  return browser.request(form.action, { form: { ...form.fields, email, password } });
}

const accountOf = async (email: string) => (await ims.directory.findAccountsByEmail(email))[0]!;

test('lazy: the first sign-in asks the product and stores argon2id; the second does not ask; the email stays unverified', async () => {
  const tokens = await signInAndGetTokens(rp, new TestBrowser(imsUrl), 'u-1@lazy.example', 'old-pw-1');
  assert.equal(tokens.claims()!.email_verified, false, 'knowing a password proves nothing about the mailbox');
  assert.deepEqual(product.state.calls, [`${SUB}/u-1`]);
  const account = await accountOf('u-1@lazy.example');
  assert.equal(tokens.claims()!.sub, account.id);
  assert.match(account.passwordHash ?? '', /^\$argon2id\$/);
  assert.deepEqual(await verifyPassword(account.passwordHash!, 'old-pw-1'), { ok: true, needsRehash: false });
  assert.equal(account.emailVerified, false);

  await signInAndGetTokens(rp, new TestBrowser(imsUrl), 'u-1@lazy.example', 'old-pw-1');
  assert.deepEqual(product.state.calls, [`${SUB}/u-1`], 'the product is not asked once the IMS has a hash');
});

test('lazy: wrong passwords are refused and throttled like any failure; a throttled account does not reach the product', async () => {
  product.state.calls.length = 0;
  for (let i = 0; i < 3; i++) assert.equal((await postLogin('u-2@lazy.example', 'wrong-password')).status, 401);
  assert.equal(product.state.calls.length, 3);
  const throttled = await postLogin('u-2@lazy.example', 'old-pw-2');
  assert.equal(throttled.status, 429);
  assert.match(await throttled.text(), /Too many failed sign-in attempts/);
  assert.equal(product.state.calls.length, 3, 'no check while paused');
  assert.equal((await accountOf('u-2@lazy.example')).passwordHash, null);
});

test('lazy: an unreachable product shows "try again" and counts nothing; accounts of other strategies never ask the product', async () => {
  product.state.down = true;
  for (let i = 0; i < 4; i++) {
    const answer = await postLogin('u-3@lazy.example', 'old-pw-3');
    assert.equal(answer.status, 503);
    assert.match(await answer.text(), /cannot be checked right now/);
  }
  product.state.down = false;
  assert.equal((await postLogin('u-3@lazy.example', 'old-pw-3')).status, 303, 'not throttled by the outage');

  // An org that runs `invite`: its accounts without a password are not lazily migrated.
  const other = (await ims.directory.createOrg({ name: 'Invite Corp' })).id;
  await ims.passwordStrategies.set({ subscriptionId: 'SUB-INVITE', orgId: other, strategy: 'invite', actor: 'test' });
  await provisionOrgUser(ims.directory, other, { email: 'u-9@other.example', externalId: 'u-9' });
  product.state.calls.length = 0;
  assert.equal((await postLogin('u-9@other.example', 'old-pw-9')).status, 401);
  assert.deepEqual(product.state.calls, []);
});

test('REST verifier: the contract (ok true/false, 404 is false, a wrong API token or an outage throws)', async () => {
  const verifier = createRestPasswordVerifier({ baseUrl: product.baseUrl, token: API_TOKEN });
  assert.equal(await verifier.verify({ productUserId: 'u-9', email: 'x', subscriptionId: SUB }, 'old-pw-9'), true);
  assert.equal(await verifier.verify({ productUserId: 'u-9', email: 'x', subscriptionId: SUB }, 'nope'), false);
  assert.equal(await verifier.verify({ productUserId: 'nobody', email: 'x', subscriptionId: SUB }, 'old-pw-9'), false);
  assert.equal(await verifier.verify({ email: 'x', subscriptionId: SUB }, 'old-pw-9'), false, 'never by email');
  const badToken = createRestPasswordVerifier({ baseUrl: product.baseUrl, token: 'wrong-token' });
  await assert.rejects(badToken.verify({ productUserId: 'u-9', email: 'x', subscriptionId: SUB }, 'old-pw-9'), (e) => isProductSourceError(e, 'unauthorized') && !e.message.includes('old-pw-9'));
  product.state.down = true;
  await assert.rejects(verifier.verify({ productUserId: 'u-9', email: 'x', subscriptionId: SUB }, 'old-pw-9'), (e) => isProductSourceError(e, 'unavailable'));
  product.state.down = false;
});
