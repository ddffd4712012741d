import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import type { MigrationPlan } from '../../core/migration/plan.ts';
import { composeRehome } from '../../app/compose.ts';
import { estimateProvisioning, planSubscription, type ProvisioningEstimate } from '../../app/actions/index.ts';
import { checkOutputTarget, writeOutputFile } from '../write-output.ts';
import { CliError } from '../cli-error.ts';
import { formatDuration } from '../../adapters/idp/external/eta.ts';

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
    if (values.out) checkOutputTarget(String(values.out));
    await using app = await composeRehome(config, { now: io.now });
    const plan = await planSubscription(app, subscriptionId);
    if (values.out) {
      writeOutputFile(String(values.out), `${JSON.stringify(plan, null, 2)}\n`);
      io.err(`wrote plan to ${values.out}\n`);
    }
    if (values.format === 'json' && !values.out) io.out(`${JSON.stringify(plan, null, 2)}\n`);
    else io.out(describePlan(plan, await estimateProvisioning(app, plan)));
    return 0;
  },
};

export function describePlan(plan: MigrationPlan, eta?: ProvisioningEstimate): string {
  const c = plan.counts;
  const lines = [
    `Plan for ${plan.subscriptionName} (${plan.subscriptionId}) from snapshot ${plan.snapshotId.slice(0, 8)}, mode ${plan.mode}, passwords: ${plan.passwordStrategy}`,
    `  phase 1: ${plan.product.map((s) => s.step === 'ensure_org' ? `organization ${s.orgId}${s.consentRequired ? ' (exists: consent required)' : ' (created)'}` : s.step === 'ensure_product_profile' ? `product profile "${s.name}"` : `SSO ${s.required ? (s.configured ? 'required, configured' : 'REQUIRED, NOT configured') : 'not needed'}`).join('; ')}`,
    `  users (${c.total}): link ${c.link}, create ${c.create}, invite ${c.invite}, wait for verification ${c.wait_for_verification}, hold (blocked) ${c.hold}, stay local ${c.stay_local}, skip ${c.skip}`,
    `  admins first: ${plan.users.filter((u) => u.admin).map((u) => `${u.userId} (${u.action})`).join(', ') || 'none'}`,
  ];
  if (eta) lines.push(etaLine(eta));
  for (const p of plan.prerequisites) lines.push(`  ${p.blocking ? 'BLOCKING' : 'note'}: ${p.message}`);
  return `${lines.join('\n')}\n`;
}

/** The plan's ETA line: the pace the IdP's limits set, and how Bulk (or its absence) shapes it. */
export function etaLine(eta: ProvisioningEstimate): string {
  const limits = `${eta.requestsPerMinute === null ? 'no rate limit' : `${eta.requestsPerMinute} requests/min`}, ${eta.concurrency} at once`;
  const bulk = eta.bulk ? `SCIM Bulk, up to ${eta.bulk.maxOperations} operations per request` : eta.discoveryFailed ? `without Bulk: the IdP could not be asked (${eta.discoveryFailed})` : 'without Bulk (the IdP does not advertise it, or idp.bulk is off)';
  return `  ETA at the IdP's limits (${limits}; ${bulk}): ~${formatDuration(eta.ms)} for ${eta.users} users ready now (${eta.requests} SCIM requests, bound by ${eta.boundBy === 'rate' ? 'the rate limit' : 'latency'})`;
}
