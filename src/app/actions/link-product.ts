import type { MigrationPlan } from '../../core/migration/plan.ts';
import type { HashImportReport } from '../../ims/passwords/hash-import-check.ts';
import { applyProductPhase } from '../../engine/product-phase.ts';
import type { SubscriptionMigration } from '../../engine/migration-repo.ts';
import { AppError } from '../app-error.ts';
import type { RehomeApp } from '../compose.ts';
import { planSubscription } from './plan-subscription.ts';

export interface LinkProductInput {
  subscriptionId: string;
  actor: string;
  /** The admin agreed to join an organization that already exists. */
  consent: boolean;
  /** A reviewed plan (`rehome migrate --plan`); default: planned now from the newest snapshot. */
  plan?: MigrationPlan;
  hashCheck?: HashImportReport;
}

/**
 * Phase 1: link the subscription to its IMS organization and product profile, per the plan. A saved plan made from
 * an older snapshot than the newest stored one is refused.
 */
export async function linkProduct(app: RehomeApp, input: LinkProductInput): Promise<SubscriptionMigration> {
  const plan = input.plan ?? await planSubscription(app, input.subscriptionId);
  if (plan.subscriptionId !== input.subscriptionId) throw new AppError('usage', `the plan is for ${plan.subscriptionId}, not ${input.subscriptionId}`);
  if (input.plan) {
    const latest = await app.store.loadSnapshot({ subscriptionId: plan.subscriptionId });
    if (!latest || latest.digest !== plan.snapshotDigest) {
      throw new AppError('usage', `the plan is stale: it was made from snapshot ${plan.snapshotId.slice(0, 8)}, but the newest snapshot of ${plan.subscriptionId} is ${latest ? latest.id.slice(0, 8) : 'missing'}. Plan again.`);
    }
  }
  const ensureOrg = plan.product.find((s) => s.step === 'ensure_org');
  const orgId = ensureOrg?.step === 'ensure_org' ? ensureOrg.orgId : '';
  const ports = app.enginePorts({ orgId, subscriptionId: plan.subscriptionId, actor: input.actor, ...(input.hashCheck ? { hashCheck: input.hashCheck } : {}) });
  return applyProductPhase(plan, ports, { consent: input.consent });
}
