import { readFileSync } from 'node:fs';
import { enginePortsFromConfig, scheduleRulesOf } from '../app/engine-from-config.ts';
import { buildConfig } from '../config/config.ts';
import type { MigrationPlan } from '../core/migration/plan.ts';
import { planMigration } from '../core/migration/plan-migration.ts';
import { addDays, localDate } from '../core/migration/schedule.ts';
import { scheduleMigration } from '../engine/admin-actions.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import { createPasswordProvisioner } from '../adapters/passwords/password-provisioner.ts';
import { applyProductPhase } from '../engine/product-phase.ts';
import { runUserPhase, type UserPhaseResult } from '../engine/user-phase.ts';
import { DEMO_PRODUCT_TOKEN, type DemoStack } from './demo-stack.ts';

export interface DemoMigrationResult {
  plan: MigrationPlan;
  users: UserPhaseResult;
}

/**
 * Runs the migration of the demo subscription for real, as the CLI does (`rehome plan`, `migrate --plan
 * --consent`, `schedule`, `migrate --subscription`): engine ports from the demo's configuration file, so each
 * user's link and cutover go through Engage's REST API, plus the `invite` password strategy mailing invitations
 * into the IMS outbox. Safe to run again (the engine resumes; nobody is migrated twice).
 */
export async function runDemoMigration(stack: DemoStack, options: { now?: Date; concurrency?: number } = {}): Promise<DemoMigrationResult> {
  const config = buildConfig({
    file: { name: stack.files.config, data: JSON.parse(readFileSync(stack.files.config, 'utf8')) },
    env: { REHOME_PRODUCT_TOKEN: DEMO_PRODUCT_TOKEN },
    flags: { 'migration.passwordStrategy': 'invite' },
  });
  const now = options.now ?? new Date();
  const subscriptionId = stack.logins.subscriptionId;
  const snapshot = await stack.store.loadSnapshot({ subscriptionId });
  if (!snapshot) throw new Error(`no snapshot of ${subscriptionId}: start the demo first`);
  const orgId = snapshot.subscription.imsOrg.id;
  const base = enginePortsFromConfig(config, stack.store, { orgId, subscriptionId, actor: 'demo:migration' });
  const ports: EnginePorts = {
    ...base,
    now: () => now,
    passwords: base.passwords ?? createPasswordProvisioner({
      db: stack.store.kysely, idp: { kind: 'embedded', directory: stack.rehome.ims.directory, invitations: stack.rehome.ims.invitations },
    }),
  };
  const plan = planMigration({
    snapshot, passwordStrategy: 'invite', orgExists: await ports.orgs.orgExists(orgId),
    automaticThreshold: config.migration.automaticThreshold, policy: config.matching,
  });
  const linked = await applyProductPhase(plan, ports, { consent: true });
  // A second run finds it scheduled or further along: the user phase below resumes.
  if (linked.state === 'product_linked') {
    await scheduleMigration(ports, subscriptionId, addDays(localDate(now, plan.timeZone), config.migration.minDaysAhead), scheduleRulesOf(config));
  }
  const users = await runUserPhase({ subscriptionId, concurrency: options.concurrency ?? config.migration.concurrency }, ports);
  return { plan, users };
}

