import { existsSync, readFileSync } from 'node:fs';
import type { Command, CommandContext } from './command.ts';
import { STORE_OPTIONS, storeFlags, stringList } from './command.ts';
import { createRestProductSource } from '../../adapters/product/rest/rest-product-source.ts';
import { UrlRulesError } from '../../core/urls/url-rules-error.ts';
import type { JsonlLinkSource } from '../../links/jsonl-link-source.ts';
import { renderLinkReport } from '../../links/render-link-report.ts';
import { needsAttention, rewriteLinks, type LinkSource } from '../../links/rewrite-links.ts';
import { ProductSourceError } from '../../ports/product-source.ts';
import { CliError } from '../cli-error.ts';
import { composeRehome } from '../../app/compose.ts';
import { openLinkSource, readUrlRules, rewriteStoredLinks } from '../../app/actions/phase-three.ts';
import { checkOutputTarget, writeOutputFile } from '../write-output.ts';

export const rewriteLinksCommand: Command = {
  summary: 'Rewrite old-style links stored in the product (report subscriptions, bookmarks, templates); dry run by default',
  help: `rehome rewrite-links --rules FILE --links FILE [--apply --out FILE]
rehome rewrite-links --rules FILE --product-url URL --subscription ID --product-token-file FILE [--apply]

  --rules FILE              URL rules (JSON, docs/urls-and-links.md)
  --allow-host HOST         a host or origin new links may point to, in addition to the rules file's allowedHosts
  --links FILE              the product's links export (JSON lines: {kind, id, field, text})
  --out FILE                with --links --apply: where the rewritten export goes (the product imports it)
  --product-url URL         the product's Rehome API root (REST ProductSource), e.g. http://127.0.0.1:4100/api/rehome/v1
  --subscription ID         the subscription whose links to rewrite (with --product-url)
  --product-token-file FILE file holding the bearer token the product issued to Rehome (or --product-token TOKEN)
  --apply                   write the changes (each only if the text is still the one read; changed ones are reported)
  --format F                table (default) or json
  --limit N                 diff lines shown per section in the table (default 200)

Exit status: 0 done, 3 some old links need a person (unmatched, refused, changed meanwhile, failed), 2 bad input.`,
  options: {
    rules: { type: 'string' },
    'allow-host': { type: 'string', multiple: true },
    links: { type: 'string' },
    out: { type: 'string' },
    'product-url': { type: 'string' },
    subscription: { type: 'string' },
    'product-token': { type: 'string' },
    'product-token-file': { type: 'string' },
    apply: { type: 'boolean' },
    format: { type: 'string' },
    limit: { type: 'string' },
    ...STORE_OPTIONS,
  },
  configFlags: (v) => storeFlags(v),
  async run(ctx) {
    const v = ctx.values;
    if (typeof v.rules !== 'string') throw new CliError('usage', 'needs --rules FILE (the URL rules; docs/urls-and-links.md)');
    const format = (v.format as string | undefined) ?? 'table';
    if (format !== 'table' && format !== 'json') throw new CliError('usage', `--format must be table or json, not ${format}`);
    const apply = v.apply === true;
    if (apply && typeof v.out === 'string') checkOutputTarget(v.out);
    let rules;
    try {
      rules = readUrlRules({ path: v.rules }, stringList(v['allow-host']));
    } catch (e) {
      if (!(e instanceof UrlRulesError)) throw e;
      ctx.io.err(`rehome rewrite-links: ${e.message}\nNothing was written.\n`);
      return 2;
    }
    const { source, file, subscriptionId } = openSource(ctx, apply);
    try {
      // A dry run of an export file alone needs no store; anything applied or tied to a subscription is kept.
      let report;
      if (apply || subscriptionId) {
        await using app = await composeRehome(ctx.config, { now: ctx.io.now });
        report = await rewriteStoredLinks(app, { source, rules, apply, subscriptionId, actor: ctx.io.actor });
      } else {
        report = await rewriteLinks({ source, rules, apply: false, actor: ctx.io.actor, subscriptionId: null, now: ctx.io.now });
      }
      if (apply && file !== undefined) {
        writeOutputFile(String(v.out), file.serialize());
        ctx.io.err(`wrote the rewritten links export to ${v.out}\n`);
      }
      ctx.io.out(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderLinkReport(report, { limit: v.limit === undefined ? 200 : Number(v.limit) }));
      return needsAttention(report) ? 3 : 0;
    } catch (e) {
      if (!(e instanceof ProductSourceError)) throw e;
      ctx.io.err(`rehome rewrite-links: product error (${e.code}): ${e.message}\n`);
      return e.code === 'invalid_file' ? 2 : 1;
    }
  },
};

function openSource(ctx: CommandContext, apply: boolean): { source: LinkSource; file?: JsonlLinkSource; subscriptionId: string | null } {
  const v = ctx.values;
  if ((typeof v.links === 'string') === (typeof v['product-url'] === 'string')) {
    throw new CliError('usage', 'give either --links FILE (an export) or --product-url URL (the product\'s API), not both');
  }
  if (typeof v.links === 'string') {
    if (apply && typeof v.out !== 'string') throw new CliError('usage', '--apply with --links needs --out FILE: the rewritten export the product imports');
    if (!existsSync(v.links)) throw new CliError('file_not_found', `${v.links}: file not found`);
    return { ...openLinkSource({ file: { path: v.links } }), subscriptionId: (v.subscription as string | undefined) ?? null };
  }
  if (typeof v.subscription !== 'string') throw new CliError('usage', '--product-url needs --subscription ID');
  let token = v['product-token'] as string | undefined;
  if (typeof v['product-token-file'] === 'string') {
    try {
      token = readFileSync(v['product-token-file'], 'utf8').trim();
    } catch {
      throw new CliError('file_not_found', `${v['product-token-file']}: cannot read the token file`);
    }
  }
  if (!token) throw new CliError('usage', '--product-url needs --product-token-file FILE (or --product-token TOKEN)');
  return { ...openLinkSource({ product: createRestProductSource({ baseUrl: String(v['product-url']), token, subscriptionId: v.subscription }) }), subscriptionId: v.subscription };
}
