import type { MigrationPlan } from '../../core/migration/plan.ts';
import { planMigration } from '../../core/migration/plan-migration.ts';
import { createStoreImsDirectory } from '../../ims/directory/store-ims-directory.ts';
import { AppError } from '../app-error.ts';
import type { RehomeApp } from '../compose.ts';

/** The plan of a subscription from its newest stored snapshot (`rehome plan`, the console's "Link", the demo). */
export async function planSubscription(app: RehomeApp, subscriptionId: string): Promise<MigrationPlan> {
  const snapshot = await app.store.loadSnapshot({ subscriptionId });
  if (!snapshot) throw new AppError('snapshot_not_found', `no stored snapshot for subscription ${subscriptionId}; import its users first (rehome import)`);
  const orgId = snapshot.subscription.imsOrg.id;
  const ports = app.enginePorts({ orgId, subscriptionId, actor: 'planner' });
  const subscription = { ...snapshot.subscription, imsOrg: { ...snapshot.subscription.imsOrg, ssoConfigured: await ssoConfigured(app, snapshot.subscription.imsOrg) } };
  return planMigration({
    snapshot: { ...snapshot, subscription }, passwordStrategy: app.config.migration.passwordStrategy, orgExists: await ports.orgs.orgExists(orgId),
    automaticThreshold: app.config.migration.automaticThreshold, policy: app.config.matching,
  });
}

/**
 * The export says whether the org had SSO when it was taken; on the embedded IMS, `rehome ims org sso set` may have
 * configured it since, and the plan must see that (else the prerequisite it asks for could never be met).
 */
export async function ssoConfigured(app: RehomeApp, org: { id: string; ssoConfigured: boolean }): Promise<boolean> {
  if (org.ssoConfigured || app.config.idp.kind !== 'embedded') return org.ssoConfigured;
  return ((await createStoreImsDirectory(app.store).getOrg(org.id))?.sso ?? null) !== null;
}
