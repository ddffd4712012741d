import { existsSync, readFileSync } from 'node:fs';
import type { Command, CommandContext } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { createRestProductSource } from '../../adapters/product/rest/rest-product-source.ts';
import type { AccessSnapshot } from '../../core/access/access-snapshot.ts';
import { diffAccess } from '../../core/access/diff-access.ts';
import { renderAccessDiff } from '../../core/access/render-access-diff.ts';
import { ProductSourceError, type ProductSource } from '../../ports/product-source.ts';
import { CliError, type CliErrorCode } from '../cli-error.ts';
import { AppError } from '../../app/app-error.ts';
import { composeRehome } from '../../app/compose.ts';
import { readAccessSnapshot, verifyAccess, type AccessFrom } from '../../app/actions/phase-three.ts';
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
    const subscriptionId = (v.subscription as string | undefined) ?? (v['before-stored'] as string | undefined);
    const beforeFrom: AccessFrom = typeof v.before === 'string' ? { file: { path: v.before } } : { stored: String(v['before-stored']) };
    const afterFrom: AccessFrom = typeof v.after === 'string' ? { file: { path: v.after } } : { product: productOf(ctx) };
    // With a subscription, the report is kept for the console's Support & links page.
    await using app = subscriptionId ? await composeRehome(ctx.config, { now: ctx.io.now }) : undefined;
    let before: AccessSnapshot;
    let after: AccessSnapshot;
    try {
      before = await readAccessSnapshot(beforeFrom, { ...(app ? { app } : {}), now: ctx.io.now });
      after = await readAccessSnapshot(afterFrom, { ...(app ? { app } : {}), now: ctx.io.now });
    } catch (e) {
      // The reader's refusals (usage, file_not_found, snapshot_not_found) are the CLI's own codes, with exit status 2.
      if (e instanceof AppError) throw new CliError(e.code as CliErrorCode, e.message);
      if (!(e instanceof ProductSourceError)) throw e;
      ctx.io.err(`rehome verify: product error (${e.code}): ${e.message}\n`);
      return 1;
    }
    if (typeof v['save-after'] === 'string') writeOutputFile(v['save-after'], `${JSON.stringify(after, null, 2)}\n`);
    const diff = app && subscriptionId ? await verifyAccess(app, { before, after, subscriptionId }) : diffAccess(before, after);
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

/** The product's Rehome API named by the flags (`--product-url`, `--subscription`, the token). */
function productOf(ctx: CommandContext): ProductSource {
  const v = ctx.values;
  if (typeof v.subscription !== 'string') throw new CliError('usage', '--product-url needs --subscription ID');
  let token = v['product-token'] as string | undefined;
  if (typeof v['product-token-file'] === 'string') {
    if (!existsSync(v['product-token-file'])) throw new CliError('file_not_found', `${v['product-token-file']}: file not found`);
    token = readFileSync(v['product-token-file'], 'utf8').trim();
  }
  if (!token) throw new CliError('usage', '--product-url needs --product-token-file FILE (or --product-token TOKEN)');
  return createRestProductSource({ baseUrl: String(v['product-url']), token, subscriptionId: v.subscription });
}
