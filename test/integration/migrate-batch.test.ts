import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { IdpError } from '../../src/ports/identity-provider.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { openStore, type StoreAdapter } from '../../src/app/rehome-store.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import type { MigrationPlan } from '../../src/core/migration/plan.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { runUserPhase } from '../../src/engine/user-phase.ts';
import { scheduleMigration } from '../../src/engine/admin-actions.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';
import { skipAdminsWhoCannotMove } from '../support/admins-first.ts';
import { registerRunner } from '../../src/engine/workers/runner-registry.ts';
import { migrationDb, requireMigration } from '../../src/engine/migration-repo.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { postgresTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';

const ex = (f: string) => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;
const NOW = new Date('2026-11-25T12:00:00Z');
const ISSUER = 'http://127.0.0.1:1/ims';
type Which = 'prod' | 'sandbox';

async function prepare(store: StoreAdapter, which: Which): Promise<{ plan: MigrationPlan; orgId: string }> {
  const sub = readSubscription(ex(which === 'prod' ? 'subscription.json' : 'sandbox-subscription.json'));
  const users = readProductUsers(ex(which === 'prod' ? 'users.csv' : 'sandbox-users.csv'));
  const accounts = readImsDirectory(ex('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains });
  const ref = await store.saveSnapshot({ subscription: sub, users, ims: { accounts }, sources: {}, at: NOW.toISOString() });
  await seedDirectoryFromExport(createStoreImsDirectory(store), accounts, sub.imsOrg);
  const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
  // The example has SSO users; these tests are about the user phase, not the SSO prerequisite.
  plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
  const p = ports(store, sub.imsOrg.id);
  await applyProductPhase(plan, p, { consent: true });
  await scheduleMigration(p, plan.subscriptionId, addDays(localDate(NOW, plan.timeZone), 10));
  await skipAdminsWhoCannotMove(store.kysely, plan.subscriptionId, () => NOW);
  return { plan, orgId: sub.imsOrg.id };
}

function ports(store: StoreAdapter, orgId: string, now = NOW) {
  return embeddedEnginePorts({ store, orgId, issuer: ISSUER, actor: 'test', now: () => now });
}

async function withSqlite(fn: (store: StoreAdapter) => Promise<void>) {
  const store = await openStore({ kind: 'sqlite', path: ':memory:' });
  try { await fn(store); } finally { await store[Symbol.asyncDispose](); }
}

/** The end state in terms that do not depend on random ids: per user, what happened and to which kind of account. */
async function endState(store: StoreAdapter, plan: MigrationPlan, orgId: string) {
  const db = store.kysely;
  const m = await requireMigration(migrationDb(db), plan.subscriptionId);
  const users = await db.selectFrom('mig_users').select(['user_id', 'state', 'error_code', 'ims_subject', 'attempt']).where('subscription_id', '=', plan.subscriptionId).orderBy('user_id').execute();
  const members = new Set((await db.selectFrom('ims_profile_members').select('account_id').where('profile_id', '=', m.profile_id).execute()).map((r: { account_id: string }) => r.account_id));
  const accounts = new Map((await db.selectFrom('ims_accounts').innerJoin('ims_org_members', 'ims_org_members.account_id', 'ims_accounts.id')
    .select(['ims_accounts.id', 'ims_accounts.type', 'ims_accounts.email_verified', 'ims_org_members.external_id']).where('ims_org_members.org_id', '=', orgId).execute())
    .map((r: { id: string; type: string; email_verified: number; external_id: string | null }) => [r.id, r]));
  const seeded = new Set(plan.users.flatMap((u) => (u.imsAccountId ? [u.imsAccountId] : [])));
  return {
    subscription: m.state,
    users: users.map((u: { user_id: string; state: string; error_code: string | null; ims_subject: string | null }) => {
      const a = u.ims_subject ? accounts.get(u.ims_subject) : undefined;
      return {
        user: u.user_id, state: u.state, error: u.error_code,
        account: u.ims_subject === null ? null : seeded.has(u.ims_subject) ? `existing:${u.ims_subject}` : 'new',
        type: a?.type ?? null, verified: a ? Number(a.email_verified) : null, externalId: a?.external_id ?? null, member: u.ims_subject ? members.has(u.ims_subject) : null,
      };
    }),
    orgAccountsWithExternalId: [...accounts.values()].filter((a) => a.external_id !== null).length,
  };
}

async function assertOneAccountPerUser(store: StoreAdapter, plan: MigrationPlan, orgId: string) {
  const db = store.kysely;
  const migrated = await db.selectFrom('mig_users').select(['user_id', 'ims_subject']).where('subscription_id', '=', plan.subscriptionId).where('state', '=', 'migrated').execute();
  const linked = await db.selectFrom('ims_org_members').select(['external_id', 'account_id']).where('org_id', '=', orgId).where('external_id', 'is not', null).execute();
  const byExternal = new Map<string, string[]>();
  for (const l of linked as { external_id: string; account_id: string }[]) byExternal.set(l.external_id, [...(byExternal.get(l.external_id) ?? []), l.account_id]);
  for (const u of migrated as { user_id: string; ims_subject: string }[]) {
    assert.deepEqual(byExternal.get(u.user_id), [u.ims_subject], `exactly one IMS account for ${u.user_id}`);
  }
  const extra = await db.selectFrom('ims_accounts').select('email_norm').where('owner_org_id', '=', orgId).execute();
  assert.equal(new Set(extra.map((r: { email_norm: string }) => r.email_norm)).size, extra.length, 'no address got a second org-owned account');
}

test('user phase: a batch of one reaches the same end state as batches of 64 on the example data', async () => {
  let single: Awaited<ReturnType<typeof endState>> | undefined;
  let batched: Awaited<ReturnType<typeof endState>> | undefined;
  await withSqlite(async (store) => {
    const { plan, orgId } = await prepare(store, 'prod');
    await runUserPhase({ subscriptionId: plan.subscriptionId, batchSize: 1 }, ports(store, orgId));
    single = await endState(store, plan, orgId);
  });
  await withSqlite(async (store) => {
    const { plan, orgId } = await prepare(store, 'prod');
    const r = await runUserPhase({ subscriptionId: plan.subscriptionId, batchSize: 64 }, ports(store, orgId));
    assert.equal(r.failed, 0);
    assert.equal(r.migrated, plan.users.filter((u) => ['link', 'create', 'invite'].includes(u.action)).length);
    batched = await endState(store, plan, orgId);
    await assertOneAccountPerUser(store, plan, orgId);
    assert.equal(batched.users.filter((u) => u.state === 'migrated' && u.type === 'personal' && u.account === 'new').every((u) => u.verified === 0), true, 'never verified on create');
    const audit = await store.listAudit({ subscriptionId: plan.subscriptionId });
    const starts = audit.filter((a) => a.action === 'user:start').length;
    assert.equal(starts, r.migrated, 'one audit row per user and step');
    assert.equal(audit.filter((a) => a.action === 'user:succeed').length, r.migrated);
    assert.doesNotMatch(JSON.stringify(audit.map((a) => a.details)), /@acme\.example/, 'no addresses in audit details');
  });
  assert.ok(single && batched);
  assert.deepEqual(batched, single);
  assert.equal(batched.subscription, 'users_in_progress', 'users still waiting for verification keep the phase open');
});

test('user phase: admins first, and a re-run migrates nobody twice', () => withSqlite(async (store) => {
  const { plan, orgId } = await prepare(store, 'prod');
  const order: string[] = [];
  const p = { ...ports(store, orgId), onEvent: (e: { type: string; userId?: string }) => { if (e.type === 'user:migrated') order.push(e.userId!); } };
  await runUserPhase({ subscriptionId: plan.subscriptionId, batchSize: 5, concurrency: 3 }, p);
  const admins = plan.users.filter((u) => u.admin && ['link', 'create', 'invite'].includes(u.action)).map((u) => u.userId);
  assert.ok(admins.length >= 2);
  assert.deepEqual(order.slice(0, admins.length).sort(), admins.sort(), 'admins migrate first');
  const before = await endState(store, plan, orgId);
  const again = await runUserPhase({ subscriptionId: plan.subscriptionId, batchSize: 5 }, p);
  assert.equal(again.attempted, 0, 're-running migrates nobody twice');
  assert.deepEqual(await endState(store, plan, orgId), before);
}));

test('user phase: a batch whose outcome transaction fails gives its leases back, so the retry in the same process moves it', () => withSqlite(async (store) => {
  const { plan, orgId } = await prepare(store, 'prod');
  const eligible = plan.users.filter((u) => ['link', 'create', 'invite'].includes(u.action)).length;
  // What a deadlock or a dropped connection does to the outcome transaction of every batch, until lifted.
  await sql`create trigger fail_outcomes before insert on audit_log when new.action = 'user:succeed' begin select raise(abort, 'simulated deadlock'); end`.execute(store.kysely);
  const runner = await registerRunner(store.kysely, { actor: 'test' }); // a rehome worker: alive across its jobs
  try {
    await assert.rejects(runUserPhase({ subscriptionId: plan.subscriptionId, batchSize: 40, runner }, ports(store, orgId)), /simulated deadlock/);
    const stuck = await store.kysely.selectFrom('mig_users').select(['user_id', 'lease_owner']).where('subscription_id', '=', plan.subscriptionId).where('state', '=', 'migrating').execute();
    assert.ok(stuck.length > 0, 'the failed batch is left migrating, as after a crash');
    assert.deepEqual(stuck.filter((u: { lease_owner: string | null }) => u.lease_owner !== null), [], 'its leases were given back');
    await sql`drop trigger fail_outcomes`.execute(store.kysely);
    const retry = await runUserPhase({ subscriptionId: plan.subscriptionId, batchSize: 40, runner }, ports(store, orgId));
    assert.equal(retry.failed, 0);
    const migrated = await store.kysely.selectFrom('mig_users').select('user_id').where('subscription_id', '=', plan.subscriptionId).where('state', '=', 'migrated').execute();
    assert.equal(migrated.length, eligible, 'the retry moved every user, the failed batch included');
    await assertOneAccountPerUser(store, plan, orgId);
  } finally {
    await runner[Symbol.asyncDispose]();
  }
}));

test('admins first: a failed admin holds the others; a whole run tries an admin whose failure was retryable once more', () => withSqlite(async (store) => {
  const { plan, orgId } = await prepare(store, 'prod');
  const healthy = ports(store, orgId);
  // The IdP is unavailable for the admins' batch: both ready admins fail, retryable.
  const down = { ...healthy, idp: { ...healthy.idp, findUsersByExternalIds: async () => { throw new IdpError('unavailable', 'findUsersByExternalIds: the IdP is down'); } } };
  const first = await runUserPhase({ subscriptionId: plan.subscriptionId, admins: true }, down);
  assert.equal(first.failed, 2);
  const held = await runUserPhase({ subscriptionId: plan.subscriptionId, userIds: ['1010', '1011'] }, down);
  assert.equal(held.heldForAdmins, 2, 'named others wait while an admin failed');
  assert.equal(held.attempted, 0);
  // A whole run with the IdP back: the failed admins are tried again first, then everyone else moves.
  const whole = await runUserPhase({ subscriptionId: plan.subscriptionId }, healthy);
  assert.equal(whole.heldForAdmins, undefined);
  assert.equal(whole.failed, 0);
  const admins = await store.kysely.selectFrom('mig_users').select(['user_id', 'state']).where('subscription_id', '=', plan.subscriptionId).where('admin', '=', 1).orderBy('user_id').execute();
  assert.deepEqual(admins.map((a: { state: string }) => a.state), ['migrated', 'migrated', 'skipped']);
  assert.equal(whole.migrated, plan.users.filter((u) => ['link', 'create', 'invite'].includes(u.action)).length);
}));

test('user phase: one person in production and sandbox gets one IMS account', () => withSqlite(async (store) => {
  const prod = await prepare(store, 'prod');
  const sandbox = await prepare(store, 'sandbox');
  for (const { plan } of [prod, sandbox]) await runUserPhase({ subscriptionId: plan.subscriptionId, batchSize: 50 }, ports(store, prod.orgId));
  const shared = await store.kysely.selectFrom('mig_users as a').innerJoin('mig_users as b', 'a.normalized_email', 'b.normalized_email')
    .select(['a.ims_subject as pa', 'b.ims_subject as pb']).where('a.subscription_id', '=', prod.plan.subscriptionId).where('b.subscription_id', '=', sandbox.plan.subscriptionId)
    .where('a.state', '=', 'migrated').where('b.state', '=', 'migrated').execute();
  assert.ok(shared.length > 5);
  for (const s of shared as { pa: string; pb: string }[]) assert.equal(s.pa, s.pb);
}));

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`user phase on ${kind}: a crash after the IdP calls, before the outcome transaction`, () => {
    let database: TestDatabase | undefined;
    let store: StoreAdapter;
    before(async () => {
      if (kind === 'sqlite') store = await openStore({ kind: 'sqlite', path: ':memory:' });
      else store = await (database = await postgresTestDatabase('migbatch')).open();
    });
    after(async () => {
      await store[Symbol.asyncDispose]();
      await database?.drop();
    });

    test('resumes without a duplicate account and without a lost user', async () => {
      const { plan, orgId } = await prepare(store, 'prod');
      const eligible = plan.users.filter((u) => ['link', 'create', 'invite'].includes(u.action)).length;
      let batches = 0;
      const crash = new Error('simulated crash');
      // The crashing process's runner stays registered (as a killed process's row does until it is reaped).
      const crashed = await registerRunner(store.kysely, { actor: 'test' });
      await assert.rejects(runUserPhase({
        subscriptionId: plan.subscriptionId, batchSize: 40, runner: crashed,
        faults: { afterIdpCalls: () => { if (++batches === 3) throw crash; } },
      }, ports(store, orgId)), (e) => e === crash);
      const db = store.kysely;
      const stuck = (await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', plan.subscriptionId).where('state', '=', 'migrating').execute()).map((s: { user_id: string }) => s.user_id);
      assert.equal(stuck.length, 40, 'the crashed batch is left migrating');
      const createdBeforeResume = await db.selectFrom('ims_org_members').select('account_id').where('org_id', '=', orgId).where('external_id', 'in', stuck).execute();
      assert.equal(createdBeforeResume.length, 40, 'the IdP calls of the crashed batch had happened');

      if (kind === 'postgres') { // (SQLite admits one migrating process: a second runner is refused outright)
        const other = await runUserPhase({ subscriptionId: plan.subscriptionId, batchSize: 40, userIds: stuck }, ports(store, orgId));
        assert.equal(other.attempted, 0, 'a user leased to a live runner is not taken by another');
      }
      await crashed[Symbol.asyncDispose](); // what reaping the dead runner does: its leases are released
      const r = await runUserPhase({ subscriptionId: plan.subscriptionId, batchSize: 40 }, ports(store, orgId));
      assert.equal(r.failed, 0);
      const migrated = await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', plan.subscriptionId).where('state', '=', 'migrated').execute();
      assert.equal(migrated.length, eligible, 'no user lost');
      await assertOneAccountPerUser(store, plan, orgId);
      const resumed = (await store.listAudit({ subscriptionId: plan.subscriptionId, action: 'user:start' })).filter((a) => a.details.resumed === true);
      assert.equal(resumed.length, 40);
      const steps = await db.selectFrom('mig_steps').select(['status']).where('subscription_id', '=', plan.subscriptionId).execute();
      assert.equal(steps.filter((s: { status: string }) => s.status === 'started').length, 40, 'the crashed attempt stays visible as started');
      assert.equal(steps.filter((s: { status: string }) => s.status === 'succeeded').length, eligible);
    });

    test('a lease that lapsed is taken over by another runner', async () => {
      const sub = (await store.kysely.selectFrom('mig_subscriptions').select('subscription_id').executeTakeFirstOrThrow()).subscription_id as string;
      const orgId = (await requireMigration(migrationDb(store.kysely), sub)).org_id!;
      // Put two migrated users back to "crashed mid-way under a runner nobody reaped", its lease long lapsed.
      const two = (await store.kysely.selectFrom('mig_users').select('user_id').where('subscription_id', '=', sub).where('state', '=', 'migrated').orderBy('user_id').limit(2).execute()).map((r: { user_id: string }) => r.user_id);
      await store.kysely.updateTable('mig_users').set({ state: 'migrating', lease_owner: 'gone:1:abc', lease_until: '2000-01-01T00:00:00.000Z' }).where('subscription_id', '=', sub).where('user_id', 'in', two).execute();
      const r = await runUserPhase({ subscriptionId: sub }, ports(store, orgId));
      assert.equal(r.migrated, 2);
      const accounts = await store.kysely.selectFrom('ims_org_members').select('account_id').where('org_id', '=', orgId).where('external_id', 'in', two).execute();
      assert.equal(accounts.length, 2, 'reconciled by externalId, nothing created twice');
    });
  });
}
