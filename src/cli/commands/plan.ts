import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import type { MigrationPlan } from '../../core/migration/plan.ts';
import { composeRehome } from '../../app/compose.ts';
import { planSubscription } from '../../app/actions/index.ts';
import { checkOutputTarget, writeOutputFile } from '../write-output.ts';
import { CliError } from '../cli-error.ts';
import type { RehomeConfig } from '../../config/config.ts';
import { estimateEta, formatDuration, type Eta } from '../../adapters/idp/external/eta.ts';

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
    else io.out(describePlan(plan, config.idp));
    return 0;
  },
};

export function describePlan(plan: MigrationPlan, idp?: RehomeConfig['idp']): string {
  const c = plan.counts;
  const lines = [
    `Plan for ${plan.subscriptionName} (${plan.subscriptionId}) from snapshot ${plan.snapshotId.slice(0, 8)}, mode ${plan.mode}, passwords: ${plan.passwordStrategy}`,
    `  phase 1: ${plan.product.map((s) => s.step === 'ensure_org' ? `organization ${s.orgId}${s.consentRequired ? ' (exists: consent required)' : ' (created)'}` : s.step === 'ensure_product_profile' ? `product profile "${s.name}"` : `SSO ${s.required ? (s.configured ? 'required, configured' : 'REQUIRED, NOT configured') : 'not needed'}`).join('; ')}`,
    `  users (${c.total}): link ${c.link}, create ${c.create}, invite ${c.invite}, wait for verification ${c.wait_for_verification}, hold (blocked) ${c.hold}, stay local ${c.stay_local}, skip ${c.skip}`,
    `  admins first: ${plan.users.filter((u) => u.admin).map((u) => `${u.userId} (${u.action})`).join(', ') || 'none'}`,
  ];
  const eta = idp?.kind === 'external' ? estimateIdpEta(plan, idp) : undefined;
  if (eta) lines.push(`  ETA at the IdP's limits (${idp!.requestsPerMinute} requests/min, ${idp!.concurrency} at once): ~${formatDuration(eta.ms)} for ${eta.users} users ready now (${eta.requests} SCIM requests, bound by ${eta.boundBy === 'rate' ? 'the rate limit' : 'latency'})`);
  for (const p of plan.prerequisites) lines.push(`  ${p.blocking ? 'BLOCKING' : 'note'}: ${p.message}`);
  return `${lines.join('\n')}\n`;
}

/**
 * SCIM requests the user phase makes per user at an external IdP (external-idp.ts has no bulk look-ups, so each
 * is its own request): look up by externalId; a planned link then finds the account by email and patches it (a
 * GET and a PATCH); before a planned new account the engine looks the address up (a SCIM server cannot promise to
 * link nothing: the plan is enforced here), then find-then-create (GET + POST). The profile membership is one
 * PATCH per `idp.batchSize` members of a batch (membershipRequests). Measured in test/integration/throttle-eta.test.ts.
 */
export const SCIM_REQUESTS_PER_USER = { link: 4, create: 4 } as const;

/** Membership PATCHes: admins and the others run as separate batches, each sent in chunks of `idp.batchSize`. */
export function membershipRequests(plan: MigrationPlan, batchSize: number): number {
  const ready = plan.users.filter((u) => u.action === 'link' || u.action === 'create' || u.action === 'invite');
  const admins = ready.filter((u) => u.admin).length;
  const size = Math.max(1, batchSize);
  return Math.ceil(admins / size) + Math.ceil((ready.length - admins) / size);
}
/** Round trip assumed before anything was measured; with a rate limit as low as large vendors' it does not matter. */
const ASSUMED_LATENCY_MS = 250;

/** How long the users ready now take at the configured limits: the rate, or latency over concurrency. */
export function estimateIdpEta(plan: MigrationPlan, idp: Pick<RehomeConfig['idp'], 'requestsPerMinute' | 'concurrency' | 'batchSize'>): Eta & { users: number } {
  const c = plan.counts;
  const requests = c.link * SCIM_REQUESTS_PER_USER.link + (c.create + c.invite) * SCIM_REQUESTS_PER_USER.create + membershipRequests(plan, idp.batchSize);
  const eta = estimateEta({ users: requests, batchSize: 1, requestsPerMinute: idp.requestsPerMinute, concurrency: idp.concurrency, latencyMs: ASSUMED_LATENCY_MS });
  const users = c.link + c.create + c.invite;
  return { ...eta, users, usersPerMinute: eta.minutes > 0 ? users / eta.minutes : eta.usersPerMinute };
}
