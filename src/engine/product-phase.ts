import type { MigrationPlan, ProductStep } from '../core/migration/plan.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import { MigrationError } from './migration-error.ts';
import { getMigration, insertMigration, insertUsers, migrationDb, patchSubscription, requireMigration, transitionSubscription, writeStoredPlan, type MigrationDb, type SubscriptionMigration } from './migration-repo.ts';

/**
 * Registers the plan (once) and runs phase 1: link the subscription to its IMS organization (creating it, or with
 * recorded consent when it already exists) and ensure the product profile. Safe to run again: a linked
 * subscription is returned as it is.
 */
export async function applyProductPhase(plan: MigrationPlan, ports: EnginePorts, opts: { consent?: boolean } = {}): Promise<SubscriptionMigration> {
  const db = migrationDb(ports.db);
  const at = () => ports.now().toISOString();
  let m = await getMigration(db, plan.subscriptionId);
  if (!m) {
    await insertMigration(db, plan, at(), ports.actor);
    m = await requireMigration(db, plan.subscriptionId);
  } else if (m.snapshot_digest !== plan.snapshotDigest) {
    m = await replacePlan(db, m, plan, at(), ports.actor);
  }
  if (m.state !== 'not_started' && m.state !== 'rolled_back') return m;
  ports.onEvent?.({ type: 'phase:started', phase: 'product', subscriptionId: plan.subscriptionId });

  const orgStep = plan.product.find((s): s is Extract<ProductStep, { step: 'ensure_org' }> => s.step === 'ensure_org');
  const profileStep = plan.product.find((s): s is Extract<ProductStep, { step: 'ensure_product_profile' }> => s.step === 'ensure_product_profile');
  if (!orgStep || !profileStep) throw new MigrationError('plan_invalid', 'the plan has no ensure_org / ensure_product_profile step');
  const existed = await ports.orgs.orgExists(orgStep.orgId);
  if (existed && !opts.consent && !m.consent_at) {
    throw new MigrationError('prerequisite_missing', `the IMS organization ${orgStep.orgId} already exists: an admin of subscription ${plan.subscriptionId} must consent to migrating into it (rerun with --consent)`);
  }
  if (existed && opts.consent && !m.consent_at) {
    await db.transaction().execute((tx) => patchSubscription(tx, plan.subscriptionId, { consent_by: ports.actor, consent_at: at() }, { at: at(), actor: ports.actor, action: 'subscription:consent_recorded', details: { orgId: orgStep.orgId } }));
  }
  // A strategy the IdP cannot honour (or an import whose hash sample failed) refuses here, before anything changes.
  await ports.passwords?.prepareSubscription({ subscriptionId: plan.subscriptionId, orgId: orgStep.orgId, strategy: plan.passwordStrategy, actor: ports.actor });
  await ports.orgs.ensureOrg({ id: orgStep.orgId, name: orgStep.name, claimedDomains: orgStep.claimedDomains, actor: ports.actor });
  const profile = await ports.idp.ensureProductProfile({ subscriptionId: profileStep.subscriptionId, name: profileStep.name });
  const current = await requireMigration(db, plan.subscriptionId);
  return db.transaction().execute((tx) => transitionSubscription(tx, current, 'link_product', {
    at: at(), actor: ports.actor, patch: { org_id: orgStep.orgId, profile_id: profile.id }, details: { orgId: orgStep.orgId, orgExisted: existed, profileId: profile.id },
  }));
}

const REPLANNABLE = new Set(['not_started', 'product_linked', 'users_scheduled', 'rolled_back']);
/** Once users have moved, a new plan re-decides only the users who have not (a `plan_drift` is fixed this way). */
const PARTLY_REPLANNABLE = new Set(['users_scheduled', 'users_in_progress', 'awaiting_confirmation', 'expired']);
/** Users a new plan may re-decide: nothing of theirs moved, and no runner holds them. */
const UNMOVED_STATES = ['eligible', 'failed', 'needs_email_verification', 'blocked', 'not_migrated', 'stays_local'];

/**
 * A new snapshot (say, after SSO was configured, emails were fixed, or the IMS changed under a plan: `plan_drift`)
 * replaces the plan. Before anyone started, every user is registered again from the new plan; dates, consent and
 * the link are kept. Once users have moved, only the users who have not moved yet are re-decided; the migrated,
 * the migrating and the skipped keep their rows.
 */
async function replacePlan(db: MigrationDb, m: SubscriptionMigration, plan: MigrationPlan, at: string, actor: string): Promise<SubscriptionMigration> {
  const started = await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', m.subscription_id).where('attempt', '>', 0).executeTakeFirst();
  if (REPLANNABLE.has(m.state) && !started) {
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('mig_users').where('subscription_id', '=', m.subscription_id).execute();
      await insertUsers(tx, plan, at);
      await writeStoredPlan(tx, m.subscription_id, plan);
      await patchSubscription(tx, m.subscription_id, { snapshot_id: plan.snapshotId, snapshot_digest: plan.snapshotDigest, mode: plan.mode }, { at, actor, action: 'migration:replanned', details: { from: m.snapshot_id, to: plan.snapshotId, counts: plan.counts } });
    });
    return requireMigration(db, m.subscription_id);
  }
  if (!PARTLY_REPLANNABLE.has(m.state)) {
    throw new MigrationError('plan_stale', `subscription ${plan.subscriptionId} is ${m.state} under the plan from snapshot ${m.snapshot_id.slice(0, 8)}; a new plan cannot replace it now`);
  }
  await db.transaction().execute(async (tx) => {
    const unmoved = (await tx.selectFrom('mig_users').select('user_id').where('subscription_id', '=', m.subscription_id)
      .where('state', 'in', UNMOVED_STATES).where('lease_owner', 'is', null).execute()).map((r) => r.user_id);
    const known = new Set((await tx.selectFrom('mig_users').select('user_id').where('subscription_id', '=', m.subscription_id).execute()).map((r) => r.user_id));
    const redecide = new Set(unmoved);
    const users = plan.users.filter((u) => redecide.has(u.userId) || !known.has(u.userId));
    for (let i = 0; i < unmoved.length; i += 500) {
      await tx.deleteFrom('mig_users').where('subscription_id', '=', m.subscription_id).where('user_id', 'in', unmoved.slice(i, i + 500)).execute();
    }
    await insertUsers(tx, { ...plan, users }, at);
    await writeStoredPlan(tx, m.subscription_id, plan);
    await patchSubscription(tx, m.subscription_id, { snapshot_id: plan.snapshotId, snapshot_digest: plan.snapshotDigest, mode: plan.mode }, {
      at, actor, action: 'migration:replanned', details: { from: m.snapshot_id, to: plan.snapshotId, counts: plan.counts, partial: true, redecided: users.length, kept: known.size - unmoved.length },
    });
    // New work for a subscription that was only waiting for its confirmation: the user phase is open again.
    const current = await requireMigration(tx, m.subscription_id);
    if (current.state === 'awaiting_confirmation' && users.some((u) => u.initialState === 'eligible' || u.initialState === 'needs_email_verification')) {
      await transitionSubscription(tx, current, 'users_reopened', { at, actor, details: { reason: 'replanned' } });
    }
  });
  return requireMigration(db, m.subscription_id);
}
