import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { planMigration } from '../../core/migration/plan-migration.ts';
import type { MigrationPlan } from '../../core/migration/plan.ts';
import { openConfiguredStore } from '../open-configured-store.ts';
import { writeOutputFile } from '../write-output.ts';
import { CliError } from '../cli-error.ts';
import { enginePortsFromConfig } from '../engine-from-config.ts';

export const planCommand: Command = {
  summary: 'Turn the newest stored snapshot into a migration plan (changes nothing)',
  help: `rehome plan --subscription ID [--password-strategy invite|import_hashes|lazy] [--out plan.json] [--format table|json]

Plans phase 1 (organization, product profile, SSO check), the per-user actions (admins first: link an existing
verified account, create, invite, wait for verification, hold, stay local, skip) and product-profile grants.
The plan is data: save it with --out, review it, then apply exactly it with rehome migrate --plan plan.json.`,
  options: { subscription: { type: 'string' }, 'password-strategy': { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, ...STORE_OPTIONS },
  configFlags: (v) => ({ ...storeFlags(v), 'migration.passwordStrategy': v['password-strategy'] as string | undefined }),
  async run({ values, config, io }) {
    const subscriptionId = values.subscription as string | undefined;
    if (!subscriptionId) throw new CliError('usage', '--subscription ID is required');
    await using store = await openConfiguredStore(config);
    const snapshot = await store.loadSnapshot({ subscriptionId });
    if (!snapshot) throw new CliError('snapshot_not_found', `no stored snapshot for subscription ${subscriptionId}; run rehome import first`);
    const orgId = snapshot.subscription.imsOrg.id;
    const ports = enginePortsFromConfig(config, store, { orgId, subscriptionId, actor: io.actor });
    const plan = planMigration({
      snapshot, passwordStrategy: config.migration.passwordStrategy, orgExists: await ports.orgs.orgExists(orgId),
      automaticThreshold: config.migration.automaticThreshold, policy: config.matching,
    });
    if (values.out) {
      writeOutputFile(String(values.out), `${JSON.stringify(plan, null, 2)}\n`);
      io.err(`wrote plan to ${values.out}\n`);
    }
    if (values.format === 'json' && !values.out) io.out(`${JSON.stringify(plan, null, 2)}\n`);
    else io.out(describePlan(plan));
    return 0;
  },
};

export function describePlan(plan: MigrationPlan): string {
  const c = plan.counts;
  const lines = [
    `Plan for ${plan.subscriptionName} (${plan.subscriptionId}) from snapshot ${plan.snapshotId.slice(0, 8)}, mode ${plan.mode}, passwords: ${plan.passwordStrategy}`,
    `  phase 1: ${plan.product.map((s) => s.step === 'ensure_org' ? `organization ${s.orgId}${s.consentRequired ? ' (exists: consent required)' : ' (created)'}` : s.step === 'ensure_product_profile' ? `product profile "${s.name}"` : `SSO ${s.required ? (s.configured ? 'required, configured' : 'REQUIRED, NOT configured') : 'not needed'}`).join('; ')}`,
    `  users (${c.total}): link ${c.link}, create ${c.create}, invite ${c.invite}, wait for verification ${c.wait_for_verification}, hold (blocked) ${c.hold}, stay local ${c.stay_local}, skip ${c.skip}`,
    `  admins first: ${plan.users.filter((u) => u.admin).map((u) => `${u.userId} (${u.action})`).join(', ') || 'none'}`,
  ];
  for (const p of plan.prerequisites) lines.push(`  ${p.blocking ? 'BLOCKING' : 'note'}: ${p.message}`);
  return `${lines.join('\n')}\n`;
}
