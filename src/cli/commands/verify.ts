import { existsSync, readFileSync } from 'node:fs';
import type { Command, CommandContext } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { createRestProductSource } from '../../adapters/product/rest/rest-product-source.ts';
import { accessSnapshotFromUsers, parseAccessSnapshot, type AccessSnapshot } from '../../core/access/access-snapshot.ts';
import { diffAccess } from '../../core/access/diff-access.ts';
import { renderAccessDiff } from '../../core/access/render-access-diff.ts';
import { readProductUsers } from '../../importers/product-users.ts';
import { readTextFile } from '../../importers/text-file.ts';
import { ProductSourceError } from '../../ports/product-source.ts';
import { CliError } from '../cli-error.ts';
import { openConfiguredStore } from '../../app/open-configured-store.ts';
import { composeRehome } from '../../app/compose.ts';
import { verifyAccess } from '../../app/actions/index.ts';
import { checkOutputTarget, writeOutputFile } from '../write-output.ts';

export const verifyCommand: Command = {
  summary: 'Compare each user\'s roles, workspaces and partitions before and after the move (exit 3 when access was lost)',
  help: `rehome verify --before FILE --after FILE
rehome verify --before-stored SUBSCRIPTION_ID --product-url URL --subscription ID --product-token-file FILE

  --before FILE                 access before the user phase: users export (.csv/.jsonl) or access JSON
  --before-stored ID            the newest snapshot \`rehome import\` stored for subscription ID
  --after FILE                  access after: users export or access JSON
  --product-url URL             read the access now from the product's Rehome API (with --subscription and a token)
  --subscription ID             the subscription to read from the product
  --product-token-file FILE     file holding the product's bearer token for Rehome (or --product-token TOKEN)
  --save-after FILE             also write the "after" snapshot as access JSON (for the records)
  --format F                    table (default) or json
  --out FILE                    write the report to FILE instead of standard output
  --limit N                     users shown in the table (default 500)

Access JSON: { "users": [{ "id", "email"?, "status"?, "grants": [{ workspace, partition, role }] | "access": "W/P:R;..." }] }
Exit status: 0 nobody lost access, 3 some user lost access (or is missing), 2 bad input.`,
  options: {
    before: { type: 'string' },
    'before-stored': { type: 'string' },
    after: { type: 'string' },
    'product-url': { type: 'string' },
    subscription: { type: 'string' },
    'product-token': { type: 'string' },
    'product-token-file': { type: 'string' },
    'save-after': { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    limit: { type: 'string' },
    ...STORE_OPTIONS,
  },
  configFlags: (v) => storeFlags(v),
  async run(ctx) {
    const v = ctx.values;
    const format = (v.format as string | undefined) ?? 'table';
    if (format !== 'table' && format !== 'json') throw new CliError('usage', `--format must be table or json, not ${format}`);
    if ((typeof v.before === 'string') === (typeof v['before-stored'] === 'string')) throw new CliError('usage', 'give one of --before FILE or --before-stored SUBSCRIPTION_ID');
    if ((typeof v.after === 'string') === (typeof v['product-url'] === 'string')) throw new CliError('usage', 'give one of --after FILE or --product-url URL');
    for (const out of [v.out, v['save-after']]) if (typeof out === 'string') checkOutputTarget(out);
    let before: AccessSnapshot;
    let after: AccessSnapshot;
    try {
      before = typeof v.before === 'string' ? readSnapshotFile(v.before) : await readStoredSnapshot(ctx, String(v['before-stored']));
      after = typeof v.after === 'string' ? readSnapshotFile(v.after) : await readProductSnapshot(ctx);
    } catch (e) {
      if (!(e instanceof ProductSourceError)) throw e;
      ctx.io.err(`rehome verify: product error (${e.code}): ${e.message}\n`);
      return 1;
    }
    if (typeof v['save-after'] === 'string') writeOutputFile(v['save-after'], `${JSON.stringify(after, null, 2)}\n`);
    const subscriptionId = (v.subscription as string | undefined) ?? (v['before-stored'] as string | undefined);
    // With a subscription, the report is kept for the console's Support & links page.
    let diff;
    if (subscriptionId) {
      await using app = await composeRehome(ctx.config, { now: ctx.io.now });
      diff = await verifyAccess(app, { before, after, subscriptionId });
    } else {
      diff = diffAccess(before, after);
    }
    const text = format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderAccessDiff(diff, { limit: v.limit === undefined ? 500 : Number(v.limit) });
    if (typeof v.out === 'string') {
      writeOutputFile(v.out, text);
      ctx.io.err(renderAccessDiff({ ...diff, users: [] }));
    } else {
      ctx.io.out(text);
    }
    return diff.summary.anyLoss ? 3 : 0;
  },
};

/** A users export (.csv, .jsonl, .ndjson) or an access JSON file. */
function readSnapshotFile(path: string): AccessSnapshot {
  if (!existsSync(path)) throw new CliError('file_not_found', `${path}: file not found`);
  if (!/\.json$/i.test(path)) return accessSnapshotFromUsers(readProductUsers(path));
  let data: unknown;
  try {
    data = JSON.parse(readTextFile(path));
  } catch (e) {
    if (e instanceof SyntaxError) throw new CliError('usage', `${path}: not valid JSON (${e.message})`);
    throw e;
  }
  const parsed = parseAccessSnapshot(data, path);
  if ('problems' in parsed) throw new CliError('usage', parsed.problems.slice(0, 20).join('\n'));
  return parsed.snapshot;
}

async function readStoredSnapshot(ctx: CommandContext, subscriptionId: string): Promise<AccessSnapshot> {
  await using store = await openConfiguredStore(ctx.config);
  const snap = await store.loadSnapshot({ subscriptionId });
  if (!snap) throw new CliError('snapshot_not_found', `no stored snapshot for subscription ${subscriptionId}; run rehome import first`);
  return accessSnapshotFromUsers(snap.users, snap.at);
}

async function readProductSnapshot(ctx: CommandContext): Promise<AccessSnapshot> {
  const v = ctx.values;
  if (typeof v.subscription !== 'string') throw new CliError('usage', '--product-url needs --subscription ID');
  let token = v['product-token'] as string | undefined;
  if (typeof v['product-token-file'] === 'string') {
    if (!existsSync(v['product-token-file'])) throw new CliError('file_not_found', `${v['product-token-file']}: file not found`);
    token = readFileSync(v['product-token-file'], 'utf8').trim();
  }
  if (!token) throw new CliError('usage', '--product-url needs --product-token-file FILE (or --product-token TOKEN)');
  const source = createRestProductSource({ baseUrl: String(v['product-url']), token, subscriptionId: v.subscription });
  // Users give status and email; access is read through its own call, as the port defines the snapshot.
  const [users, access] = await Promise.all([source.listUsers(), source.getAccess()]);
  const byId = new Map(access.map((a) => [a.userId, a.access]));
  return accessSnapshotFromUsers(users.map((u) => ({ ...u, access: byId.get(u.id) ?? u.access })), ctx.io.now().toISOString());
}
