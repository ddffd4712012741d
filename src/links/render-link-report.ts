/**
 * The terminal view of a rewrite-links run: counts, then the diff (old -> new per URL) grouped by kind of stored
 * link, then what needs a person (unmatched old links, refusals, conflicts). Plain text, one URL per line.
 */
import type { RewriteLinksReport } from './rewrite-links.ts';

export function renderLinkReport(report: RewriteLinksReport, options: { limit?: number } = {}): string {
  const { plan } = report;
  const limit = options.limit ?? 200;
  const c = plan.counts;
  const lines: string[] = [];
  lines.push(`Link rewrite${report.mode === 'dry_run' ? ' (dry run: nothing written)' : ''}: ${plan.records} stored links read, ${plan.toChange} to change`);
  lines.push(`URLs: ${c.seen} seen, ${c.rewritten} rewritten, ${c.unchanged} unchanged, ${c.unmatched} unmatched, ${c.refused} refused`);
  for (const [kind, k] of Object.entries(plan.byKind)) {
    lines.push(`  ${kind}: ${k.records} records, ${k.toChange} to change; URLs ${k.rewritten} rewritten, ${k.unmatched} unmatched, ${k.refused} refused`);
  }
  let shown = 0;
  for (const kind of Object.keys(plan.byKind)) {
    const changed = plan.links.filter((l) => l.kind === kind && l.newText !== undefined);
    if (changed.length === 0) continue;
    lines.push('', `${kind}:`);
    for (const link of changed) {
      if (shown++ >= limit) break;
      lines.push(`  ${link.id} (${link.field})`);
      for (const u of link.urls) if (u.outcome === 'rewritten') lines.push(`    - ${u.old}`, `    + ${u.new}`);
    }
  }
  if (shown > limit) lines.push(`  … ${shown - limit} more (use --format json for all)`);
  const attention = plan.links.flatMap((l) => l.urls.filter((u) => u.outcome === 'unmatched' || u.outcome === 'refused').map((u) => ({ l, u })));
  if (attention.length > 0) {
    lines.push('', 'Old links no rule rewrote (add or fix a rule):');
    for (const { l, u } of attention.slice(0, limit)) {
      lines.push(`  ${l.kind} ${l.id} (${l.field}): ${u.old}${u.outcome === 'refused' ? `  [refused: ${u.reason}, rule ${u.ruleId}]` : ''}`);
    }
    if (attention.length > limit) lines.push(`  … ${attention.length - limit} more`);
  }
  if (report.appliedCounts) {
    const a = report.appliedCounts;
    lines.push('', `Written: ${a.written}; changed meanwhile (not overwritten): ${a.conflict}; gone: ${a.not_found}; failed: ${a.failed}`);
    for (const o of report.applied ?? []) if (o.status !== 'written') lines.push(`  ${o.kind} ${o.id} (${o.field}): ${o.status}${o.code && o.code !== o.status ? ` (${o.code})` : ''}`);
  } else if (plan.toChange > 0) {
    lines.push('', `Run again with --apply to write ${plan.toChange} stored link${plan.toChange === 1 ? '' : 's'}.`);
  }
  return `${lines.join('\n')}\n`;
}
