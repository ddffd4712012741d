// The ProductSource contract, run against both adapters reading the same Engage subscription: REST (its Rehome API
// over real HTTP) and files (its exports). Reads must agree; the REST adapter's writes follow the port's rules;
// the file adapter refuses every write with `product_read_only`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createFileProductSource } from '../../src/adapters/product/files/file-product-source.ts';
import { createRestProductSource } from '../../src/adapters/product/rest/rest-product-source.ts';
import { isProductSourceError, type ProductSource } from '../../src/ports/product-source.ts';
import { seedEngage, type DemoLogins } from '../../examples/engage/seed.ts';
import { getIdentityLink } from '../../examples/engage/src/auth/identity-links.ts';
import { startEngage, type EngageServer } from '../../examples/engage/src/engage-server.ts';
import { writeExports } from '../../examples/engage/src/exports/export-files.ts';
import { getUser } from '../../examples/engage/src/users/user-records.ts';

const TOKEN = 'contract-rehome-api-token-0123456789';
const ISSUER = 'http://127.0.0.1:9/ims';
let dir: string;
let engage: EngageServer;
let logins: DemoLogins;
const sources: Record<'rest' | 'files', ProductSource> = {} as never;

const rest = (overrides: Partial<Parameters<typeof createRestProductSource>[0]> = {}) =>
  createRestProductSource({ baseUrl: `${engage.url}/api/rehome/v1`, subscriptionId: logins.subscriptionId, token: TOKEN, ...overrides });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rehome-product-source-'));
  engage = await startEngage({ dbPath: join(dir, 'engage.db'), rehomeApiToken: TOKEN });
  logins = await seedEngage(engage.db, { baseUrl: engage.url, users: 80 });
  const files = writeExports(engage.db, logins.subscriptionId, join(dir, 'export'));
  sources.rest = rest({ pageSize: 7 });
  sources.files = createFileProductSource({ subscriptionId: logins.subscriptionId, ...files });
});

after(async () => {
  await engage.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const kind of ['rest', 'files'] as const) {
  describe(`ProductSource (${kind})`, () => {
    test('lists every user in id order, in the model shape', async () => {
      const users = await sources[kind].listUsers();
      assert.equal(users.length, 80);
      assert.deepEqual(users.map((u) => u.id), users.map((u) => u.id).sort());
      const admin = users.find((u) => u.id === logins.admin.id)!;
      assert.equal(admin.email, logins.admin.email);
      assert.ok(admin.access.some((a) => a.role === 'Admin'));
      assert.ok(users.some((u) => u.apiOnly) && users.some((u) => u.status === 'invited') && users.some((u) => !u.emailVerified));
      assert.ok(!('passwordHash' in admin) && !('loginMode' in admin), 'no product-internal fields leak');
    });

    test('the access snapshot has one entry per user, equal to the users\' access', async () => {
      const [users, access] = await Promise.all([sources[kind].listUsers(), sources[kind].getAccess()]);
      assert.deepEqual(access, users.map((u) => ({ userId: u.id, access: u.access })));
    });

    test('links name kind, a unique id and the field, with the old URL shape in the text', async () => {
      const links = await sources[kind].listLinks();
      assert.deepEqual(new Set(links.map((l) => l.kind)), new Set(['report_subscription', 'bookmark', 'email_template']));
      assert.equal(new Set(links.map((l) => l.id)).size, links.length);
      assert.ok(links.filter((l) => l.text.includes(`${engage.url}/app-ab12/#RP`)).length > 20);
    });

    test('tickets carry submitter, status, created instant and messages', async () => {
      const tickets = await sources[kind].listTickets();
      assert.equal(tickets.length, 30);
      const first = tickets[0]!;
      assert.equal(first.id, 'T-10001');
      assert.ok(first.messages.length >= 1 && first.messages[0]!.authorUserId === first.submitterUserId);
      assert.equal(first.createdAt, new Date(first.createdAt).toISOString());
    });

    test('describe() says whether the source can write', () => {
      assert.deepEqual(sources[kind].describe(), { kind, subscriptionId: logins.subscriptionId, writable: kind === 'rest' });
    });
  });
}

test('both adapters read the same subscription identically', async () => {
  for (const method of ['listUsers', 'getAccess', 'listLinks', 'listTickets'] as const) {
    assert.deepEqual(await sources.rest[method](), await sources.files[method](), method);
  }
});

test('REST paging: page size does not change the result', async () => {
  assert.deepEqual(await rest({ pageSize: 500 }).listUsers(), await sources.rest.listUsers());
  assert.deepEqual(await rest({ pageSize: 3 }).listLinks(), await sources.rest.listLinks());
});

test('files: every write is refused with product_read_only', async () => {
  const files = sources.files;
  const writes: [string, () => Promise<unknown>][] = [
    ['updateLink', () => files.updateLink('bookmark:1:url', 'x', 'y')],
    ['writeIdentityLink', () => files.writeIdentityLink('1001', { issuer: ISSUER, subject: 's' })],
    ['removeIdentityLink', () => files.removeIdentityLink('1001')],
    ['setLoginMode', () => files.setLoginMode('1001', 'ims')],
    ['cutoverUser', () => files.cutoverUser('1001')],
    ['cutoverSubscription', () => files.cutoverSubscription()],
  ];
  for (const [name, write] of writes) {
    await assert.rejects(write(), (e) => isProductSourceError(e, 'product_read_only') && e.message.includes(name), name);
  }
});

test('REST updateLink is compare-and-set and safe to retry', async () => {
  const source = sources.rest;
  const link = (await source.listLinks()).find((l) => l.kind === 'bookmark' && l.text.includes('/app-ab12/#RP'))!;
  const next = link.text.replace('/app-ab12/#', '/#/@acme/so:123-ABC-456/engage/');
  assert.deepEqual(await source.updateLink(link.id, next, link.text), { ...link, text: next });
  assert.deepEqual(await source.updateLink(link.id, next, link.text), { ...link, text: next }, 'a retry is a success');
  await assert.rejects(source.updateLink(link.id, 'something else', link.text), (e) => isProductSourceError(e, 'conflict') && e.status === 409);
  await assert.rejects(source.updateLink('bookmark:999999:url', 'x', 'y'), (e) => isProductSourceError(e, 'not_found'));
  assert.equal((await source.listLinks()).find((l) => l.id === link.id)!.text, next);
});

test('REST identity links: idempotent write, conflicts refused, removal idempotent', async () => {
  const source = sources.rest;
  const [a, b] = [logins.admin.id, logins.user.id];
  await source.writeIdentityLink(a, { issuer: ISSUER, subject: 'sub-a' });
  await source.writeIdentityLink(a, { issuer: ISSUER, subject: 'sub-a' });
  assert.equal(getIdentityLink(engage.db, a)?.subject, 'sub-a');
  await assert.rejects(source.writeIdentityLink(a, { issuer: ISSUER, subject: 'sub-other' }), (e) => isProductSourceError(e, 'conflict'));
  await assert.rejects(source.writeIdentityLink(b, { issuer: ISSUER, subject: 'sub-a' }), (e) => isProductSourceError(e, 'conflict'), 'one identity, one user per subscription');
  await assert.rejects(source.writeIdentityLink('no-such-user', { issuer: ISSUER, subject: 'x' }), (e) => isProductSourceError(e, 'not_found'));
  await source.removeIdentityLink(a);
  await source.removeIdentityLink(a);
  assert.equal(getIdentityLink(engage.db, a), undefined);
});

test('REST login mode and cutover: refused without a link, then applied', async () => {
  const source = sources.rest;
  const id = logins.user.id;
  await assert.rejects(source.cutoverUser(id), (e) => isProductSourceError(e, 'not_linked'));
  await assert.rejects(source.setLoginMode(id, 'ims'), (e) => isProductSourceError(e, 'not_linked'));
  await assert.rejects(source.setLoginMode(id, 'api_only'), (e) => isProductSourceError(e, 'invalid_request'));
  await assert.rejects(source.cutoverUser(logins.apiOnly.user.id), (e) => isProductSourceError(e, 'conflict') && e.message.includes('API-only'));
  await source.writeIdentityLink(id, { issuer: ISSUER, subject: 'sub-user' });
  assert.deepEqual(await source.cutoverUser(id), { userId: id, revokedSessions: 0, droppedTokens: 0 });
  assert.equal(getUser(engage.db, id)?.loginMode, 'ims');
  await source.setLoginMode(id, 'legacy');
  assert.equal(getUser(engage.db, id)?.loginMode, 'legacy');
  await source.cutoverSubscription();
  await source.cutoverSubscription();
});

test('REST errors are clear: wrong token, unreachable product, injected fetch', async () => {
  await assert.rejects(rest({ token: 'wrong-token-wrong-token-wrong' }).listUsers(), (e) => isProductSourceError(e, 'unauthorized') && /Bearer/.test(e.message));
  await assert.rejects(rest({ baseUrl: 'http://127.0.0.1:9/api/rehome/v1' }).listUsers(), (e) => isProductSourceError(e, 'unavailable') && e.retryable);
  await assert.rejects(rest({ subscriptionId: 'NOPE' }).listUsers(), (e) => isProductSourceError(e, 'not_found'));
  const seen: string[] = [];
  const spy: typeof fetch = async (input, init) => {
    seen.push(String(input));
    return fetch(input, init);
  };
  await rest({ fetch: spy, pageSize: 50 }).listUsers();
  assert.deepEqual(seen.map((u) => new URL(u).search), ['?limit=50', `?limit=50&after=${(await sources.rest.listUsers())[49]!.id}`]);
  const notJson: typeof fetch = async () => new Response('<html>proxy login</html>', { status: 200 });
  await assert.rejects(rest({ fetch: notJson }).listUsers(), (e) => isProductSourceError(e, 'protocol'));
});
