import type { Command, CommandContext } from './command.ts';
import { STORE_OPTIONS, storeFlags, stringList } from './command.ts';
import { planReadiness } from '../../core/readiness/plan-readiness.ts';
import { createReadinessRun, type ReadinessOutcome, type ReadinessRun } from '../../core/readiness/readiness-run.ts';
import type { ImsDirectory, SubscriptionSnapshot } from '../../core/model.ts';
import { renderReadinessTableOf } from '../../reports/readiness-table.ts';
import { writeReadinessCsv } from '../../reports/readiness-csv.ts';
import { writeReadinessHtml } from '../../reports/readiness-html.ts';
import { writeReadinessJson } from '../../reports/readiness-json.ts';
import { byteSink, type TextSink } from '../../reports/text-sink.ts';
import { openConfiguredStore } from '../../app/open-configured-store.ts';
import { streamFileInputs } from '../../app/load-inputs.ts';
import { checkOutputTarget } from '../write-output.ts';
import { writeReportFile } from './readiness-output.ts';
import { CliError } from '../cli-error.ts';

export const readinessCommand: Command = {
  summary: 'Report who can migrate, who is blocked, why and how to fix it (changes nothing)',
  help: `rehome readiness --users FILE --ims FILE --subscription FILE [--format table|json|csv|html] [--out FILE]
rehome readiness --stored SUBSCRIPTION_ID | --snapshot SNAPSHOT_ID  (a snapshot saved by rehome import)

  --users FILE          product users (.csv or .jsonl); repeat with --subscription for several subscriptions
  --subscription FILE   subscription JSON (or a JSON array of subscriptions)
  --ims FILE            IMS directory, Admin Console CSV export layout
  --stored ID           newest stored snapshot of a subscription (repeatable); the run is saved and audited
  --snapshot ID         a stored snapshot by id (repeatable)
  --format F            table (default), json, csv or html
  --out FILE            write the report to FILE instead of standard output
  --limit N             rows of the terminal table (default 100)

Exit status: 0 nothing blocked, 3 some users blocked, 2 bad input (nothing stored). Reason codes: docs/readiness.md`,
  options: {
    users: { type: 'string', multiple: true },
    ims: { type: 'string' },
    subscription: { type: 'string', multiple: true },
    stored: { type: 'string', multiple: true },
    snapshot: { type: 'string', multiple: true },
    format: { type: 'string' },
    out: { type: 'string' },
    limit: { type: 'string' },
    ...STORE_OPTIONS,
  },
  configFlags: (v) => ({ ...storeFlags(v), 'readiness.format': v.format as string | undefined }),
  async run(ctx) {
    if (ctx.values.out) checkOutputTarget(String(ctx.values.out));
    const stored = stringList(ctx.values.stored);
    const snapshotIds = stringList(ctx.values.snapshot);
    const outcome = stored.length + snapshotIds.length > 0
      ? await readinessFromStore(ctx, stored, snapshotIds)
      : await readinessFromFiles(ctx);
    const format = ctx.config.readiness.format;
    const limit = ctx.values.limit === undefined ? 100 : Number(ctx.values.limit);
    // Every input is read and decided before the first byte of the report: a bad input leaves no output at all.
    // JSON and HTML open with the summary (one pass to count it, one to write the users); CSV and the table
    // count it while they write.
    const write = (sink: TextSink): void => {
      if (format === 'json') writeReadinessJson(outcome.summary(), outcome.users(), sink);
      else if (format === 'csv') writeReadinessCsv(outcome.users(), sink);
      else if (format === 'html') writeReadinessHtml(outcome.summary(), outcome.users(), sink, { generatedAt: ctx.io.now().toISOString() });
      else {
        const users = outcome.users();
        sink.write(renderReadinessTableOf(() => outcome.summary(), users, { limit, color: ctx.io.isTTY && !ctx.values.out }));
      }
    };
    if (ctx.values.out) {
      writeReportFile(String(ctx.values.out), write);
      ctx.io.err(`wrote ${format} report of ${outcome.summary().total} users to ${ctx.values.out}\n`);
      if (format !== 'table') ctx.io.err(renderReadinessTableOf(outcome.summary(), [], { limit: 0 }));
    } else {
      const sink = byteSink((bytes) => ctx.io.out(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')));
      write(sink);
      sink.end();
    }
    const summary = outcome.summary();
    return summary.byStatus.blocked > 0 ? 3 : 0;
  },
};

/** Streams the files into a readiness run: the users are never all in memory as objects. */
async function readinessFromFiles(ctx: CommandContext): Promise<ReadinessOutcome> {
  let run: ReadinessRun | undefined;
  await streamFileInputs({ users: stringList(ctx.values.users), ims: ctx.values.ims as string | undefined, subscriptions: stringList(ctx.values.subscription) }, {
    begin: (subscriptions) => void (run = createReadinessRun(subscriptions, { policy: ctx.config.matching })),
    imsAccount: (a) => run!.addImsAccount(a),
    user: (i, u) => run!.addUser(i, u),
  });
  return run!.finish();
}

async function readinessFromStore(ctx: CommandContext, subscriptionIds: string[], snapshotIds: string[]): Promise<ReadinessOutcome> {
  await using store = await openConfiguredStore(ctx.config);
  const snapshots: SubscriptionSnapshot[] = [];
  const accounts = new Map<string, ImsDirectory['accounts'][number]>();
  const used: string[] = [];
  const queries = [...subscriptionIds.map((subscriptionId) => ({ subscriptionId })), ...snapshotIds.map((snapshotId) => ({ snapshotId }))];
  for (const q of queries) {
    const snap = await store.loadSnapshot(q);
    if (!snap) {
      throw new CliError('snapshot_not_found', 'subscriptionId' in q
        ? `no stored snapshot for subscription ${q.subscriptionId}; run rehome import first`
        : `no stored snapshot with id ${q.snapshotId}`);
    }
    used.push(snap.id);
    snapshots.push({ subscription: snap.subscription, users: snap.users });
    for (const a of snap.ims.accounts) accounts.set(`${a.id}\u0000${a.email}`, a);
  }
  const report = planReadiness({ subscriptions: snapshots, ims: { accounts: [...accounts.values()] }, policy: ctx.config.matching });
  const at = ctx.io.now().toISOString();
  const runId = await store.saveReadinessRun({ snapshotIds: used, report, at });
  for (const s of report.summary.subscriptions) {
    await store.appendAudit({
      at, actor: ctx.io.actor, action: 'readiness:run', subscriptionId: s.id, target: runId,
      details: { snapshotIds: used, users: s.users, blocked: s.blocked, adminsReady: s.adminsReady, byStatus: report.summary.byStatus },
    });
  }
  ctx.io.err(`readiness run ${runId} saved\n`);
  return { summary: () => report.summary, users: () => report.users.values() };
}
