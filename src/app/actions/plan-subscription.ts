import type { MigrationPlan } from '../../core/migration/plan.ts';
import { planMigration } from '../../core/migration/plan-migration.ts';
import { AppError } from '../app-error.ts';
import type { RehomeApp } from '../compose.ts';

/** The plan of a subscription from its newest stored snapshot (`rehome plan`, the console's "Link", the demo). */
export async function planSubscription(app: RehomeApp, subscriptionId: string): Promise<MigrationPlan> {
  const snapshot = await app.store.loadSnapshot({ subscriptionId });
  if (!snapshot) throw new AppError('snapshot_not_found', `no stored snapshot for subscription ${subscriptionId}; import its users first (rehome import)`);
  const orgId = snapshot.subscription.imsOrg.id;
  const ports = app.enginePorts({ orgId, subscriptionId, actor: 'planner' });
  return planMigration({
    snapshot, passwordStrategy: app.config.migration.passwordStrategy, orgExists: await ports.orgs.orgExists(orgId),
    automaticThreshold: app.config.migration.automaticThreshold, policy: app.config.matching,
  });
}
