import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { openStore, type StoreAdapter } from '../../src/app/rehome-store.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { runUserPhase } from '../../src/engine/user-phase.ts';
import { skipAdminsWhoCannotMove } from '../support/admins-first.ts';
import { actOnUsers, confirmMigration, extendMigration, rollbackMigration, scheduleMigration } from '../../src/engine/admin-actions.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';
import { countUsersByState, migrationDb, requireMigration } from '../../src/engine/migration-repo.ts';
import { MigrationError } from '../../src/engine/migration-error.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';

const ex = (f: string) => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;
const NOW = new Date('2026-11-25T12:00:00Z');
const ISSUER = 'http://127.0.0.1:1/ims';

async function importExample(store: StoreAdapter, which: 'prod' | 'sandbox') {
  const sub = readSubscription(ex(which === 'prod' ? 'subscription.json' : 'sandbox-subscription.json'));
  const users = readProductUsers(ex(which === 'prod' ? 'users.csv' : 'sandbox-users.csv'));
  const accounts = readImsDirectory(ex('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains });
  const ref = await store.saveSnapshot({ subscription: sub, users, ims: { accounts }, sources: {}, at: NOW.toISOString() });
  await seedDirectoryFromExport(createStoreImsDirectory(store), accounts, sub.imsOrg);
  const snap = (await store.loadSnapshot({ snapshotId: ref.id }))!;
  return planMigration({ snapshot: snap, passwordStrategy: 'invite', orgExists: true });
}

function ports(store: StoreAdapter, orgId: string, now = NOW) {
  return embeddedEnginePorts({ store, orgId, issuer: ISSUER, actor: 'test', now: () => now });
}

async function withStore(fn: (store: StoreAdapter) => Promise<void>) {
  const store = await openStore({ kind: 'sqlite', path: ':memory:' });
  try { await fn(store); } finally { await store[Symbol.asyncDispose](); }
}

test('engine: scheduling is gated on SSO when users need it (the sandbox has SSO users, no SSO)', () => withStore(async (store) => {
  const plan = await importExample(store, 'sandbox');
  const p = ports(store, plan.product[0]!.step === 'ensure_org' ? plan.product[0].orgId : '');
  await assert.rejects(applyProductPhase(plan, p), (e: MigrationError) => e.code === 'prerequisite_missing', 'the org exists: consent first');
  const linked = await applyProductPhase(plan, p, { consent: true });
  assert.equal(linked.state, 'product_linked');
  // SSO users in the example need SSO in the org: scheduling is gated until it is configured.
  await assert.rejects(scheduleMigration(p, plan.subscriptionId, addDays(localDate(NOW, plan.timeZone), 10)), (e: MigrationError) => e.code === 'prerequisite_missing');
}));

test('engine: a plan without SSO users runs end to end', () => withStore(async (store) => {
  const plan = await importExample(store, 'prod');
  plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
  const orgId = (plan.product[0] as { orgId: string }).orgId;
  const order: string[] = [];
  const p = { ...ports(store, orgId), onEvent: (e: { type: string; userId?: string }) => { if (e.type === 'user:migrated') order.push(e.userId!); } };
  await applyProductPhase(plan, p, { consent: true });
  await assert.rejects(scheduleMigration(p, plan.subscriptionId, addDays(localDate(NOW, plan.timeZone), 7)), (e: MigrationError) => e.code === 'schedule_invalid');
  await assert.rejects(scheduleMigration(p, plan.subscriptionId, addDays(localDate(NOW, plan.timeZone), 31)), (e: MigrationError) => e.code === 'schedule_invalid');
  const sched = await scheduleMigration(p, plan.subscriptionId, addDays(localDate(NOW, plan.timeZone), 10));
  assert.equal(sched.state, 'users_scheduled');
  assert.equal(sched.starts_at, '2026-12-05T08:00:00.000Z', 'midnight in America/Los_Angeles');

  // Admins first, for real: an admin who cannot move (unverified) holds everyone else until skipped, confirmed twice.
  const held = await runUserPhase({ subscriptionId: plan.subscriptionId, concurrency: 4 }, p);
  const waiting = plan.users.filter((u) => u.admin && !['link', 'create', 'invite'].includes(u.action)).map((u) => u.userId);
  assert.ok(waiting.length > 0, 'the example has an admin who cannot move');
  assert.equal(held.heldForAdmins, waiting.length);
  assert.equal(held.migrated, plan.users.filter((u) => u.admin && ['link', 'create', 'invite'].includes(u.action)).length, 'only the ready admins moved');
  const unconfirmed = await actOnUsers(p, plan.subscriptionId, waiting, 'skip', 'no verified address');
  assert.deepEqual(unconfirmed.refused.map((x) => x.code), waiting.map(() => 'admin_skip_unconfirmed'));
  assert.match(unconfirmed.refused[0]!.message, /is an admin of the subscription: skipping an admin needs a second confirmation/);
  assert.deepEqual((await actOnUsers(p, plan.subscriptionId, waiting, 'skip', 'no verified address', { confirmAdmins: true })).changed, waiting);
  const rest = await runUserPhase({ subscriptionId: plan.subscriptionId, concurrency: 4 }, p);
  assert.equal(rest.heldForAdmins, undefined);
  const r = { migrated: held.migrated + rest.migrated, failed: held.failed + rest.failed };
  const eligible = plan.users.filter((u) => ['link', 'create', 'invite'].includes(u.action));
  assert.equal(r.migrated, eligible.length);
  assert.equal(r.failed, 0);
  const admins = plan.users.filter((u) => u.admin && eligible.includes(u)).map((u) => u.userId);
  assert.deepEqual(order.slice(0, admins.length).sort(), admins.sort(), 'admins migrate first');

  const db = migrationDb(store.kysely);
  const accounts = await store.kysely.selectFrom('ims_org_members').select(['account_id', 'external_id']).where('org_id', '=', orgId).where('external_id', 'is not', null).execute();
  assert.equal(accounts.length, eligible.length, 'one IMS account per migrated user');
  assert.equal(new Set(accounts.map((a: { external_id: string }) => a.external_id)).size, eligible.length);
  // a planned link went to the existing verified account, not a new one
  const linkUser = plan.users.find((u) => u.action === 'link')!;
  const row = await db.selectFrom('mig_users').select('ims_subject').where('user_id', '=', linkUser.userId).executeTakeFirstOrThrow();
  assert.equal(row.ims_subject, linkUser.imsAccountId);

  const again = await runUserPhase({ subscriptionId: plan.subscriptionId }, p);
  assert.equal(again.attempted, 0, 're-running migrates nobody twice');

  await assert.rejects(confirmMigration(p, plan.subscriptionId, true), (e: MigrationError) => e.code === 'not_complete');
  const open = await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', plan.subscriptionId).where('state', 'in', ['needs_email_verification', 'blocked']).execute();
  await assert.rejects(actOnUsers(p, plan.subscriptionId, ['x'], 'skip'), /reason/);
  const skipped = await actOnUsers(p, plan.subscriptionId, open.map((u) => u.user_id), 'skip', 'left the company');
  assert.equal(skipped.changed.length, open.length);
  assert.equal((await requireMigration(db, plan.subscriptionId)).state, 'awaiting_confirmation');
  await assert.rejects(confirmMigration(p, plan.subscriptionId, false), /skipped users lose access/);
  const confirmed = await confirmMigration(p, plan.subscriptionId, true);
  assert.equal(confirmed.state, 'confirmed');
  await assert.rejects(rollbackMigration(p, plan.subscriptionId, { force: true }), /cannot be rolled back/);

  const audit = await store.listAudit({ subscriptionId: plan.subscriptionId });
  const actions = new Set(audit.map((a) => a.action));
  for (const a of ['migration:planned', 'subscription:link_product', 'subscription:schedule', 'subscription:start_users', 'user:start', 'user:succeed', 'user:skip', 'subscription:users_done', 'subscription:confirm']) assert.ok(actions.has(a), a);
  assert.doesNotMatch(JSON.stringify(audit.map((a) => a.details)), /@acme\.example/, 'no addresses in audit details');
}));

test('engine: extend is bounded; rollback guard; one person in two subscriptions; rollback of one leaves the other', () => withStore(async (store) => {
  const prod = await importExample(store, 'prod');
  const sandbox = await importExample(store, 'sandbox');
  for (const plan of [prod, sandbox]) plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
  const orgId = (prod.product[0] as { orgId: string }).orgId;
  const p = ports(store, orgId);
  await applyProductPhase(prod, p, { consent: true });
  await assert.rejects(applyProductPhase(sandbox, p), (e: MigrationError) => e.code === 'prerequisite_missing', 'consent is recorded per subscription');
  await applyProductPhase(sandbox, p, { consent: true });
  for (const plan of [prod, sandbox]) {
    await scheduleMigration(p, plan.subscriptionId, addDays(localDate(NOW, plan.timeZone), 9));
    await skipAdminsWhoCannotMove(store.kysely, plan.subscriptionId, () => NOW);
    await runUserPhase({ subscriptionId: plan.subscriptionId }, p);
  }
  for (let i = 0; i < 3; i++) await extendMigration(p, prod.subscriptionId);
  await assert.rejects(extendMigration(p, prod.subscriptionId), (e: MigrationError) => e.code === 'extensions_exhausted');

  const db = migrationDb(store.kysely);
  const shared = await db.selectFrom('mig_users as a').innerJoin('mig_users as b', 'a.normalized_email', 'b.normalized_email')
    .select(['a.ims_subject as pa', 'b.ims_subject as pb']).where('a.subscription_id', '=', prod.subscriptionId).where('b.subscription_id', '=', sandbox.subscriptionId)
    .where('a.state', '=', 'migrated').where('b.state', '=', 'migrated').execute();
  assert.ok(shared.length > 5);
  for (const s of shared) assert.equal(s.pa, s.pb, 'one IMS account for one person across subscriptions');

  await assert.rejects(rollbackMigration(p, prod.subscriptionId), (e: MigrationError) => e.code === 'threshold_exceeded');
  const sandboxMigrated = (await countUsersByState(db, sandbox.subscriptionId)).migrated ?? 0;
  assert.ok(sandboxMigrated > 0);
  await rollbackMigration(p, sandbox.subscriptionId, { force: true });
  assert.equal((await countUsersByState(db, sandbox.subscriptionId)).migrated ?? 0, 0);
  const prodProfile = (await requireMigration(db, prod.subscriptionId)).profile_id!;
  const members = await store.kysely.selectFrom('ims_profile_members').select('account_id').where('profile_id', '=', prodProfile).execute();
  assert.equal(members.length, (await countUsersByState(db, prod.subscriptionId)).migrated, 'production keeps every membership');
  for (const s of shared) assert.ok(members.some((m: { account_id: string }) => m.account_id === s.pa));
}));
