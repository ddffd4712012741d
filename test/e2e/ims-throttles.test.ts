// Issue 11, item 4: sign-ups, password-reset requests and verification resends of the embedded IMS are limited per
// address and per client address, in the store (the limits hold across a restart), with 429 + Retry-After and
// nothing sent or created over a limit. On the composed server (`startRehomeServer`, as `rehome serve` runs it),
// real HTTP on 127.0.0.1 (other clients connect from 127.0.0.2.. of the loopback net), real SQLite, one PostgreSQL
// case. The clock is injected: the window passes without sleeping.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import type { StoreAdapter } from '../../src/app/rehome-store.ts';
import { buildConfig } from '../../src/config/config.ts';
import { startRehomeServer, type RehomeServer } from '../../src/server/rehome-server.ts';
import { readForm } from './support/browser.ts';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from './support/test-databases.ts';

const SECRETS = { REHOME_IMS_COOKIE_KEYS: 'throttle-cookie-key-0123456789abcdef0123', REHOME_IMS_LINK_SECRET: 'throttle-link-secret-0123456789abcdef0123' };
const PASSWORD = 'a long enough password';
const HOUR = 3600;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A browser at one client address of the loopback net: keeps the IMS's cookies and posts its forms. */
class Client {
  private readonly cookies = new Map<string, string>();
  private readonly base: string;
  private readonly localAddress: string;
  constructor(base: string, localAddress: string) {
    this.base = base;
    this.localAddress = localAddress;
  }

  send(path: string, options: { form?: Record<string, string>; accept?: string } = {}): Promise<Answer> {
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
    const headers: Record<string, string> = { accept: options.accept ?? 'text/html' };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.base), { method: body === undefined ? 'GET' : 'POST', headers, localAddress: this.localAddress }, (res) => {
        for (const line of res.headers['set-cookie'] ?? []) {
          const [pair] = line.split(';');
          const eq = pair!.indexOf('=');
          this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Opens the form at `path` and posts it with `fields`. */
  async submit(path: string, fields: Record<string, string>, accept?: string): Promise<Answer> {
    const form = readForm((await this.send(path)).text);
    return this.send(form.action, { form: { ...form.fields, ...fields }, ...(accept ? { accept } : {}) });
  }
}

interface World {
  server: RehomeServer;
  store: StoreAdapter;
  client(lastOctet: number): Client;
  mailsTo(email: string): Promise<number>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);

async function startWorld(database: TestDatabase): Promise<World> {
  const config = buildConfig({ env: SECRETS, flags: { 'store.kind': 'sqlite', 'store.path': ':memory:', 'server.port': 0 } });
  let store = await database.open();
  let server = await startRehomeServer({ config, store, port: 0, now });
  const world: World = {
    get server() { return server; },
    get store() { return store; },
    client: (lastOctet) => new Client(server.url, `127.0.0.${lastOctet}`),
    mailsTo: async (email) => (await server.ims.outbox.list({ to: email })).length,
    async restart() {
      await server.close();
      await store[Symbol.asyncDispose]();
      store = await database.open();
      server = await startRehomeServer({ config, store, port: 0, now });
    },
    async close() {
      await server.close();
      await store[Symbol.asyncDispose]();
      await database.drop();
    },
  };
  return world;
}

/** The answer a person reads, without its per-visitor CSRF token and the address they typed (a form echoes it). */
const readable = (a: Answer, email: string) => a.text.replace(/name="csrf" value="[^"]*"/, '').replaceAll(email, '<typed>');

function assertThrottled(a: Answer, label: string): number {
  assert.equal(a.status, 429, label);
  const retryAfter = Number(a.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= HOUR, `${label}: Retry-After ${a.headers['retry-after']}`);
  assert.match(a.text, /Try again in \d+ minutes?/, `${label}: the page says when to try again`);
  return retryAfter;
}

const signUp = (c: Client, email: string) => c.submit('/ims/account/signup', { email, password: PASSWORD, firstName: '', lastName: '' });
const askReset = (c: Client, email: string) => c.submit('/ims/account/reset', { email });
const askResend = (c: Client, email: string) => c.submit('/ims/account/verify/resend', { email });

let world: World;
let database: TestDatabase;

before(async () => {
  database = sqliteTestDatabase('throttles');
  world = await startWorld(database);
});

after(async () => {
  await world?.close();
});

test('sign-up: the 6th for one address gets 429 with Retry-After and creates and sends nothing; another address from another client works', async () => {
  const me = world.client(1);
  for (let i = 1; i <= 5; i++) assert.equal((await signUp(me, 'ann@example.test')).status, 200, `sign-up ${i}`);
  assert.equal(await world.mailsTo('ann@example.test'), 5);
  const accounts = (await world.server.ims.directory.findAccountsByEmail('ann@example.test')).length;

  const sixth = await signUp(me, 'ann@example.test');
  assertThrottled(sixth, '6th sign-up');
  assert.equal(await world.mailsTo('ann@example.test'), 5, 'no mail for the refused sign-up');
  assert.equal((await world.server.ims.directory.findAccountsByEmail('ann@example.test')).length, accounts, 'no account for the refused sign-up');

  // The limit is on the address, not on the spelling or the client.
  assertThrottled(await signUp(world.client(9), 'ANN@Example.TEST'), 'another spelling from another client');
  assert.equal((await signUp(world.client(2), 'dan@example.test')).status, 200, 'another address from another client');

  // Scripts may ask for JSON.
  const json = await me.submit('/ims/account/signup', { email: 'ann@example.test', password: PASSWORD }, 'application/json');
  assert.equal(json.status, 429);
  assert.match(String(json.headers['content-type']), /application\/json/);
  const body = JSON.parse(json.text) as { error: string; message: string; retry_after: number };
  assert.equal(body.error, 'throttled');
  assert.equal(body.retry_after, Number(json.headers['retry-after']));
  assert.match(body.message, /Try again in/);
});

test('reset: the 6th request for one address gets 429, the same answer whether or not an account exists', async () => {
  const known = 'erin@example.test';
  await world.server.ims.accounts.signUp({ email: known, password: PASSWORD });
  const [account] = await world.server.ims.directory.findAccountsByEmail(known);
  await world.server.ims.directory.verifyEmail(account!.id, known);
  const before = { known: await world.mailsTo(known), unknown: await world.mailsTo('nobody@example.test') };

  const c = world.client(3);
  for (let i = 1; i <= 5; i++) {
    const [k, u] = [await askReset(c, known), await askReset(c, 'nobody@example.test')];
    assert.equal(k.status, 200, `reset ${i} (known)`);
    assert.equal(readable(k, known), readable(u, 'nobody@example.test'), `reset ${i}: the same page for a known and an unknown address`);
  }
  const [k, u] = [await askReset(c, known), await askReset(c, 'nobody@example.test')];
  assertThrottled(k, '6th reset (known)');
  assertThrottled(u, '6th reset (unknown)');
  assert.equal(readable(k, known), readable(u, 'nobody@example.test'), 'the same refusal for a known and an unknown address');
  assert.equal(await world.mailsTo(known), before.known + 5, 'no reset mail over the limit');
  assert.equal(await world.mailsTo('nobody@example.test'), before.unknown + 5, 'no mail over the limit');
});

test('resend: the 6th resend for one address gets 429; each one before it mails a fresh link; an unknown address looks the same', async () => {
  const c = world.client(4);
  assert.equal((await signUp(c, 'cy@example.test')).status, 200);
  for (let i = 1; i <= 5; i++) {
    const [k, u] = [await askResend(c, 'cy@example.test'), await askResend(c, 'nobody-else@example.test')];
    assert.equal(k.status, 200, `resend ${i}`);
    assert.equal(readable(k, 'cy@example.test'), readable(u, 'nobody-else@example.test'), `resend ${i}: the same page for a pending and an unknown address`);
  }
  assert.equal(await world.mailsTo('cy@example.test'), 6, 'the sign-up mail and five resent links');
  assert.equal(await world.mailsTo('nobody-else@example.test'), 0, 'nothing to resend to an unknown address');
  assertThrottled(await askResend(c, 'cy@example.test'), '6th resend');
  assert.equal(await world.mailsTo('cy@example.test'), 6, 'no mail over the limit');
});

test('per client address: the 21st request from one client gets 429 even for a fresh address', async () => {
  const c = world.client(5);
  for (let i = 1; i <= 20; i++) assert.equal((await askReset(c, `crowd-${i}@example.test`)).status, 200, `reset ${i}`);
  assertThrottled(await askReset(c, 'crowd-21@example.test'), '21st reset from one client');
  assert.equal(await world.mailsTo('crowd-21@example.test'), 0);
  assert.equal((await askReset(world.client(6), 'crowd-21@example.test')).status, 200, 'the same address from another client');
});

test('the store holds no address and no IP of those it counts', async () => {
  const rows = await world.store.kysely.selectFrom('ims_throttle').select('key').execute();
  assert.ok(rows.length >= 10, 'counters are stored');
  for (const { key } of rows as { key: string }[]) assert.match(key, /^[\w-]{43}$/, 'a keyed hash');
});

test('the limits survive a restart on the same store, and lift when the window has passed', async () => {
  await world.restart();
  const c = world.client(7);
  assertThrottled(await signUp(c, 'ann@example.test'), 'sign-up after the restart');
  assertThrottled(await askReset(c, 'nobody@example.test'), 'reset after the restart');
  assertThrottled(await askResend(c, 'cy@example.test'), 'resend after the restart');
  assertThrottled(await askReset(world.client(5), 'crowd-22@example.test'), 'the client limit after the restart');

  offsetMs += HOUR * 1000;
  assert.equal((await signUp(c, 'ann@example.test')).status, 200, 'sign-up an hour later');
  assert.equal((await askReset(c, 'nobody@example.test')).status, 200, 'reset an hour later');
  assert.equal((await askResend(c, 'cy@example.test')).status, 200, 'resend an hour later');
  assert.equal((await askReset(world.client(5), 'crowd-22@example.test')).status, 200, 'the client an hour later');
});

test('PostgreSQL: the 6th reset is refused, also after a restart, until the window has passed', async () => {
  const pg = await startWorld(await postgresTestDatabase('throttles'));
  try {
    const c = pg.client(8);
    for (let i = 1; i <= 5; i++) assert.equal((await askReset(c, 'pat@example.test')).status, 200, `reset ${i}`);
    const retryAfter = assertThrottled(await askReset(c, 'pat@example.test'), '6th reset');
    await pg.restart();
    assertThrottled(await askReset(pg.client(8), 'pat@example.test'), 'after the restart');
    offsetMs += retryAfter * 1000;
    assert.equal((await askReset(pg.client(8), 'pat@example.test')).status, 200, 'once Retry-After has passed');
    assert.equal(await pg.mailsTo('pat@example.test'), 6);
  } finally {
    await pg.close();
  }
});
