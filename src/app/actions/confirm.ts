import { confirmMigration as confirmInEngine, rollbackMigration as rollbackInEngine } from '../../engine/admin-actions.ts';
import { migrationDb, requireMigration, type MigrationSummary } from '../../engine/migration-repo.ts';
import type { RehomeApp } from '../compose.ts';

/**
 * "Complete Migration": every user is migrated or skipped; the migration is confirmed and the product is told that
 * user management now lives in the IMS, so skipped users' legacy passwords stop working there.
 */
export async function confirmMigration(app: RehomeApp, input: { subscriptionId: string; actor: string; acknowledgeSkippedLoseAccess: boolean }): Promise<{ migration: MigrationSummary; productTold: boolean }> {
  const migration = await confirmInEngine({ db: app.store.kysely, now: app.now, actor: input.actor }, input.subscriptionId, input.acknowledgeSkippedLoseAccess);
  const product = app.productSource(input.subscriptionId);
  if (product) {
    await product.cutoverSubscription();
    await app.store.appendAudit({ at: app.now().toISOString(), actor: input.actor, action: 'product:cutover', subscriptionId: input.subscriptionId });
  }
  return { migration, productTold: Boolean(product) };
}

/** Before confirmation: unlink what was linked and give users back the product's own login. */
export async function rollbackMigration(app: RehomeApp, input: { subscriptionId: string; actor: string; force: boolean }): Promise<{ rolledBack: number }> {
  const m = await requireMigration(migrationDb(app.store.kysely), input.subscriptionId);
  const ports = app.enginePorts({ orgId: m.org_id ?? '', subscriptionId: m.subscription_id, actor: input.actor });
  return rollbackInEngine(ports, input.subscriptionId, { force: input.force });
}
