// The console's bootstrap link dies once an admin of its subscription can sign in through the IMS (issue 11,
// item 5B): a link issued before an admin migrated no longer opens a console session, and the refusal is the same
// answer as for an unknown or expired link (no oracle). On the composed server (`startRehomeServer`, as
// `rehome serve` runs it), real HTTP on 127.0.0.1, real SQLite.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openStore, type StoreAdapter } from '../../src/app/rehome-store.ts';
import { buildConfig } from '../../src/config/config.ts';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { ConsoleError } from '../../src/console/console-error.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { scheduleMigration } from '../../src/engine/admin-actions.ts';
import { migrationDb, requireMigration } from '../../src/engine/migration-repo.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { runUserPhase } from '../../src/engine/user-phase.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { startRehomeServer, type RehomeServer } from '../../src/server/rehome-server.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';

const SUB = '123-ABC-456';
const ex = (f: string) => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;
let store: StoreAdapter;
let server: RehomeServer;

before(async () => {
  store = await openStore({ kind: 'sqlite', path: ':memory:' });
  const sub = readSubscription(ex('subscription.json'));
  const accounts = readImsDirectory(ex('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains });
  const ref = await store.saveSnapshot({ subscription: sub, users: readProductUsers(ex('users.csv')), ims: { accounts }, sources: {}, at: new Date().toISOString() });
  await seedDirectoryFromExport(createStoreImsDirectory(store), accounts, sub.imsOrg);
  const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
  await applyProductPhase(plan, embeddedEnginePorts({ store, orgId: sub.imsOrg.id, issuer: 'http://127.0.0.1:1/ims', actor: 'cli:test' }), { consent: true });
  const config = buildConfig({
    env: { REHOME_IMS_COOKIE_KEYS: 'bootstrap-test-cookie-key-0123456789abcdef', REHOME_IMS_LINK_SECRET: 'bootstrap-test-link-secret-0123456789abcdef' },
    flags: { 'store.kind': 'sqlite', 'store.path': ':memory:', 'server.port': 0 },
  });
  server = await startRehomeServer({ config, store, port: 0 });
});

after(async () => {
  await server?.close();
  await store?.[Symbol.asyncDispose]();
});

const tokenOf = (link: { path: string }) => new URL(link.path, 'http://x').searchParams.get('token')!;

/** Posts the token as the link's button does; returns the status, the page text and whether a session cookie came. */
async function redeem(token: string): Promise<{ status: number; text: string; session: boolean }> {
  const r = await fetch(`${server.url}/console/bootstrap`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });
  return { status: r.status, text: await r.text(), session: r.headers.getSetCookie().some((c) => /^rehome_console=[^;]+/.test(c) && !/Max-Age=0/.test(c)) };
}

async function migrateAdmin(userId: string): Promise<void> {
  const m = await requireMigration(migrationDb(store.kysely), SUB);
  const ports = embeddedEnginePorts({ store, orgId: m.org_id!, issuer: `${server.url}/ims`, actor: 'cli:test' });
  if (m.state === 'product_linked') await scheduleMigration(ports, SUB, addDays(localDate(new Date(), 'America/Los_Angeles'), 9));
  assert.equal((await runUserPhase({ subscriptionId: SUB, userIds: [userId] }, ports)).migrated, 1);
}

test('a link issued before an admin migrated stops working once one has; same answer as an unknown link; outstanding links are spent', async () => {
  const used = await createBootstrapLink(store, SUB);
  const outstanding = await createBootstrapLink(store, SUB);
  const another = await createBootstrapLink(store, SUB);
  const first = await redeem(tokenOf(used));
  assert.equal(first.status, 303, 'before any admin migrated, the link opens the console');
  assert.ok(first.session);

  await migrateAdmin('1001'); // Ada, an admin: she now has an IMS account and signs in through the IMS.

  const unknown = await redeem('x'.repeat(43));
  const late = await redeem(tokenOf(outstanding));
  assert.equal(late.status, 400);
  assert.equal(late.session, false, 'no console session');
  assert.deepEqual({ status: late.status, text: late.text }, { status: unknown.status, text: unknown.text }, 'the same answer as for an unknown link: no oracle');

  // Trying one outdated link spends the subscription's others, so the rows say what the code enforces.
  const rows = await store.kysely.selectFrom('console_bootstrap_tokens').select(['used_at']).where('subscription_id', '=', SUB).execute();
  assert.ok(rows.every((r) => r.used_at !== null), 'no outstanding link is left');
  assert.equal((await redeem(tokenOf(another))).status, 400);

  // Making a new one is refused; forcing one makes a link that still cannot open a session.
  await assert.rejects(createBootstrapLink(store, SUB), (e: ConsoleError) => e.code === 'bootstrap_not_needed');
  const forced = await redeem(tokenOf(await createBootstrapLink(store, SUB, { force: true })));
  assert.deepEqual({ status: forced.status, text: forced.text, session: forced.session }, { status: unknown.status, text: unknown.text, session: false });
  const signIns = (await store.listAudit({ action: 'console:signed_in' })).filter((e) => e.subscriptionId === SUB);
  assert.equal(signIns.length, 1, 'only the link redeemed before the migration signed anyone in');
});
