import { readFileSync } from 'node:fs';
import type { Command, CommandContext } from './command.ts';
import { STORE_OPTIONS, storeFlags, stringList } from './command.ts';
import type { MigrationPlan } from '../../core/migration/plan.ts';
import { composeRehome } from '../../app/compose.ts';
import { linkProduct, migrateUsers as migrateUsersNow, estimateProvisioning } from '../../app/actions/index.ts';
import { createProgressBar } from '../progress-bar.ts';
import { CliError } from '../cli-error.ts';
import { describePlan } from './plan.ts';
import { checkHashImport, formatHashImportReport, parseHashSample } from '../../ims/passwords/hash-import-check.ts';

export const migrateCommand: Command = {
  summary: 'Apply a plan (phase 1), and migrate users on demand (admins first)',
  help: `rehome migrate --plan plan.json [--consent] [--dry-run] [--hash-sample FILE]   register the plan, link the product (phase 1)
rehome migrate --subscription ID [--users a,b] [--batch-size N] [--concurrency N]   migrate users now (default: every eligible user)

Refuses a plan whose snapshot is no longer the newest stored one. Crash-safe: run it again after an interruption
and it resumes where it stopped, without a second account for anyone. --dry-run prints the plan and changes nothing.
Users move a batch at a time (--batch-size, default migration.batchSize = 1000; --concurrency batches in flight).`,
  options: { plan: { type: 'string' }, subscription: { type: 'string' }, users: { type: 'string', multiple: true }, consent: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, 'hash-sample': { type: 'string' }, concurrency: { type: 'string' }, batch: { type: 'boolean' }, 'batch-size': { type: 'string' }, ...STORE_OPTIONS },
  configFlags: (v) => ({ ...storeFlags(v), 'migration.concurrency': v.concurrency as string | undefined, 'migration.batchSize': v['batch-size'] as string | undefined }),
  async run(ctx) {
    const { values, io } = ctx;
    if (values.plan) {
      const plan = readPlanFile(String(values.plan));
      if (values['dry-run']) {
        await using app = await composeRehome(ctx.config, { now: io.now });
        io.out(`dry run: nothing changes\n${describePlan(plan, await estimateProvisioning(app, plan))}`);
        return 0;
      }
      return applyPlan(ctx, plan);
    }
    if (!values.subscription) throw new CliError('usage', 'give --plan FILE (phase 1) or --subscription ID (migrate users)');
    return migrateUsers(ctx, String(values.subscription), stringList(values.users).flatMap((x) => x.split(',')).filter(Boolean));
  },
};

function readPlanFile(path: string): MigrationPlan {
  let plan: MigrationPlan;
  try {
    plan = JSON.parse(readFileSync(path, 'utf8')) as MigrationPlan;
  } catch (e) {
    throw new CliError('file_not_found', `${path}: cannot read a plan (${(e as Error).message})`);
  }
  if (plan?.version !== 1 || typeof plan.subscriptionId !== 'string' || !Array.isArray(plan.users)) throw new CliError('usage', `${path}: not a Rehome migration plan (version 1)`);
  return plan;
}

async function applyPlan({ config, io, values }: CommandContext, plan: MigrationPlan): Promise<number> {
  await using app = await composeRehome(config, { now: io.now });
  const hashCheck = values['hash-sample']
    ? await checkHashImport((await app.store.loadSnapshot({ subscriptionId: plan.subscriptionId }))?.users ?? [], parseHashSample(readFileSync(String(values['hash-sample']), 'utf8'), String(values['hash-sample'])))
    : undefined;
  if (hashCheck) io.out(formatHashImportReport(hashCheck));
  const m = await linkProduct(app, { subscriptionId: plan.subscriptionId, plan, consent: Boolean(values.consent), actor: io.actor, ...(hashCheck ? { hashCheck } : {}) });
  io.out(`subscription ${plan.subscriptionId}: ${m.state} (organization ${m.org_id}, product profile ${m.profile_id})\n`);
  if (m.state === 'product_linked') io.out(`next: rehome schedule --subscription ${plan.subscriptionId} --date YYYY-MM-DD   (8-30 days ahead)\n`);
  return 0;
}

async function migrateUsers({ config, io, values }: CommandContext, subscriptionId: string, userIds: string[]): Promise<number> {
  await using app = await composeRehome(config, { now: io.now });
  const bar = createProgressBar('migrating', io.err, io.isTTY);
  if (app.store.dialect === 'postgres') io.err('queued; other `rehome worker` processes may share the work\n');
  // --batch is accepted for scripts written when batches were optional: every run is batched now.
  if (values.batch) io.err('--batch is the default now and has no effect; --batch-size sets the size\n');
  const r = await migrateUsersNow(app, {
    subscriptionId, actor: io.actor, ...(userIds.length ? { userIds } : {}),
    onEvent: (e) => { if (e.type === 'progress') bar.update(e.done, e.failed, e.total); },
  });
  bar.end();
  const after = r.migration;
  io.out(`migrated ${r.migrated}, failed ${r.failed} of ${r.attempted} attempted; subscription is ${after.state}\n`);
  if (r.failed > 0) io.out(`see the failures: rehome status --subscription ${subscriptionId}; retry with rehome retry --subscription ${subscriptionId} --users ...\n`);
  if (r.heldForAdmins) io.out(`the other users wait: admins migrate first, and ${r.heldForAdmins.names} ${r.heldForAdmins.count === 1 ? 'is' : 'are'} neither migrated nor skipped; migrate or retry them, or skip them (rehome skip --subscription ${subscriptionId} --users ... --reason ... --confirm-admins), then run rehome migrate again\n`);
  if (after.state === 'awaiting_confirmation') io.out(`every user is accounted for: rehome confirm --subscription ${subscriptionId} --yes\n`);
  return r.failed > 0 ? 3 : 0;
}
