/**
 * Shared set-up of the crash and fault suites: a generated subscription, planned, linked (phase 1) and scheduled,
 * on a store of the caller's choosing, and the invariants every suite ends with.
 */
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { generatePopulation } from '../../../src/population/generate-population.ts';
import { planMigration } from '../../../src/core/migration/plan-migration.ts';
import type { MigrationPlan } from '../../../src/core/migration/plan.ts';
import { addDays, localDate } from '../../../src/core/migration/schedule.ts';
import { applyProductPhase } from '../../../src/engine/product-phase.ts';
import { scheduleMigration } from '../../../src/engine/admin-actions.ts';
import { skipAdminsWhoCannotMove } from '../../support/admins-first.ts';
import { embeddedEnginePorts } from '../../support/embedded-engine.ts';
import { seedDirectoryFromExport } from '../../../src/ims/seed-directory.ts';
import { createStoreImsDirectory } from '../../../src/ims/directory/store-ims-directory.ts';
import type { StoreAdapter } from '../../../src/store/open-store.ts';

export const ISSUER = 'http://127.0.0.1:1/ims';
/** States a planned user may end in, once the phase ran to the end. */
const FINAL = new Set(['migrated', 'failed', 'needs_email_verification', 'blocked', 'skipped', 'stays_local', 'not_migrated']);

export interface PreparedSubscription {
  plan: MigrationPlan;
  orgId: string;
  /** Users the run must migrate. */
  eligible: string[];
  /** IMS accounts that existed before the run. */
  accountsBefore: number;
}

/** Generates, snapshots, seeds the IMS, plans, links the product and schedules: ready for the user phase. */
export async function prepareSubscription(store: StoreAdapter, users: number, opts: { seedIms?: boolean } = {}): Promise<PreparedSubscription> {
  const now = new Date();
  const pop = generatePopulation({ users, seed: 5 });
  const ref = await store.saveSnapshot({ subscription: pop.subscription, users: pop.users, ims: { accounts: pop.imsAccounts }, sources: {}, at: now.toISOString() });
  if (opts.seedIms !== false) await seedDirectoryFromExport(createStoreImsDirectory(store), pop.imsAccounts, pop.subscription.imsOrg);
  const snap = (await store.loadSnapshot({ snapshotId: ref.id }))!;
  const plan = planMigration({ snapshot: snap, passwordStrategy: 'invite', orgExists: true });
  plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
  const orgId = (plan.product[0] as { orgId: string }).orgId;
  const ports = embeddedEnginePorts({ store, orgId, issuer: ISSUER, actor: 'test:setup' });
  await applyProductPhase(plan, ports, { consent: true });
  await scheduleMigration(ports, plan.subscriptionId, addDays(localDate(now, plan.timeZone), 10));
  await skipAdminsWhoCannotMove(store.kysely, plan.subscriptionId);
  const eligible = plan.users.filter((u) => u.initialState === 'eligible').map((u) => u.userId);
  return { plan, orgId, eligible, accountsBefore: await count(store.kysely, 'ims_accounts') };
}

export async function count(db: Kysely<any>, table: string, where?: (q: any) => any): Promise<number> {
  let q = db.selectFrom(table).select((eb: any) => eb.fn.countAll().as('n'));
  if (where) q = where(q);
  return Number(((await q.executeTakeFirstOrThrow()) as { n: unknown }).n);
}

/**
 * The proof: exactly one IMS account and one link per migrated user, every planned user in a final state, and no
 * account made that no user holds. `expectMigrated` names who must be migrated (default: every eligible user).
 */
export async function assertNoDuplicateNoLoss(store: StoreAdapter, s: PreparedSubscription, expectMigrated: string[] = s.eligible): Promise<{ migrated: number; created: number }> {
  const db = store.kysely;
  const rows: { user_id: string; state: string; ims_subject: string | null; lease_owner: string | null }[] = await db.selectFrom('mig_users')
    .select(['user_id', 'state', 'ims_subject', 'lease_owner']).where('subscription_id', '=', s.plan.subscriptionId).execute();
  assert.equal(rows.length, s.plan.users.length, 'every planned user has a row');
  const lost = rows.filter((r) => !FINAL.has(r.state));
  assert.deepEqual(lost.map((r) => `${r.user_id}:${r.state}`).slice(0, 10), [], 'no user is lost half-way (migrating / eligible)');
  const migrated = rows.filter((r) => r.state === 'migrated');
  const notMigrated = expectMigrated.filter((id) => !migrated.some((r) => r.user_id === id));
  assert.deepEqual(notMigrated.slice(0, 10), [], 'every eligible user migrated');
  assert.equal(migrated.length, expectMigrated.length);
  assert.ok(migrated.every((r) => r.ims_subject), 'every migrated user is linked');
  assert.equal(new Set(migrated.map((r) => r.ims_subject)).size, migrated.length, 'mig_users.ims_subject is unique');
  assert.ok(rows.every((r) => r.lease_owner === null || !['eligible', 'migrating'].includes(r.state)), 'no open lease left behind');

  const members: { account_id: string; external_id: string }[] = await db.selectFrom('ims_org_members').select(['account_id', 'external_id'])
    .where('org_id', '=', s.orgId).where('external_id', 'is not', null).execute();
  const byExternal = new Map<string, string[]>();
  for (const m of members) byExternal.set(m.external_id, [...(byExternal.get(m.external_id) ?? []), m.account_id]);
  for (const r of migrated) assert.deepEqual(byExternal.get(r.user_id), [r.ims_subject], `user ${r.user_id}: exactly one IMS account, the linked one`);
  assert.equal(members.length, migrated.length, 'no IMS membership without a migrated user');
  const created = (await count(db, 'ims_accounts')) - s.accountsBefore;
  const linkedExisting = migrated.length - created;
  assert.ok(created <= migrated.length && linkedExisting >= 0, `no orphan IMS account (${created} created for ${migrated.length} migrated)`);
  const profile = (await db.selectFrom('mig_subscriptions').select('profile_id').where('subscription_id', '=', s.plan.subscriptionId).executeTakeFirstOrThrow()).profile_id;
  assert.equal(await count(db, 'ims_profile_members', (q) => q.where('profile_id', '=', profile)), migrated.length, 'one product-profile membership per migrated user');
  return { migrated: migrated.length, created };
}

/** Users whose steps show more than one attempt: the resumed ones. */
export async function resumedUsers(db: Kysely<any>, subscriptionId: string): Promise<number> {
  const r = await db.selectFrom('mig_steps').select((eb: any) => eb.fn.count('user_id').distinct().as('n'))
    .where('subscription_id', '=', subscriptionId).where('attempt', '>', 1).executeTakeFirstOrThrow();
  return Number((r as { n: unknown }).n);
}
