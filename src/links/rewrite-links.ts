/**
 * `rehome rewrite-links`: reads the product's stored links through the ProductSource, plans the rewrite (dry run
 * by default) and, with `apply`, writes each changed text through `updateLink` with the text it was planned from.
 * A link someone edited meanwhile comes back as a conflict and is reported, never overwritten. Batch semantics: one
 * record's failure is reported and the others go on. The audit trail gets one `links:rewritten` entry per written
 * record (ids, rules and counts; never link text) and one `links:rewrite_run` summary.
 */
import type { CompiledUrlRules } from '../core/urls/url-rule-types.ts';
import { isProductSourceError, type ProductSource } from '../ports/product-source.ts';
import type { AuditInput } from '../store/store.ts';
import { planLinkRewrites, type LinkRewritePlan, type PlannedLink } from './link-rewrite-plan.ts';

/** The part of ProductSource this command uses. */
export type LinkSource = Pick<ProductSource, 'listLinks' | 'updateLink'>;

export interface ApplyOutcome {
  kind: string;
  id: string;
  field: string;
  status: 'written' | 'conflict' | 'not_found' | 'failed';
  /** ProductSourceError code (or `unexpected`) when not written. */
  code?: string;
}

export interface RewriteLinksReport {
  mode: 'dry_run' | 'apply';
  plan: LinkRewritePlan;
  /** Only with `apply`: one entry per record the plan changes. */
  applied?: ApplyOutcome[];
  appliedCounts?: { written: number; conflict: number; not_found: number; failed: number };
}

export interface RewriteLinksOptions {
  source: LinkSource;
  rules: CompiledUrlRules;
  apply: boolean;
  /** Appends to the audit log (store.appendAudit); required with `apply`. */
  audit?: (entry: AuditInput) => Promise<unknown>;
  actor?: string;
  subscriptionId?: string | null;
  now?: () => Date;
}

export async function rewriteLinks(options: RewriteLinksOptions): Promise<RewriteLinksReport> {
  const links = await options.source.listLinks();
  const plan = planLinkRewrites(links, options.rules);
  if (!options.apply) return { mode: 'dry_run', plan };
  if (!options.audit) throw new TypeError('rewriteLinks: apply needs an audit function');
  const now = options.now ?? (() => new Date());
  const base = { actor: options.actor ?? 'system', subscriptionId: options.subscriptionId ?? null };
  const applied: ApplyOutcome[] = [];
  const appliedCounts = { written: 0, conflict: 0, not_found: 0, failed: 0 };
  for (const link of plan.links) {
    if (link.newText === undefined) continue;
    const outcome = await writeLink(options.source, link);
    applied.push(outcome);
    appliedCounts[outcome.status]++;
    if (outcome.status === 'written') {
      await options.audit({
        ...base, at: now().toISOString(), action: 'links:rewritten', target: link.id,
        details: { kind: link.kind, field: link.field, rules: [...new Set(link.urls.flatMap((u) => (u.ruleId && u.outcome === 'rewritten' ? [u.ruleId] : [])))], urls: link.urls.filter((u) => u.outcome === 'rewritten').length },
      });
    }
  }
  await options.audit({
    ...base, at: now().toISOString(), action: 'links:rewrite_run', target: null,
    details: { records: plan.records, toChange: plan.toChange, urls: plan.counts, applied: appliedCounts, notWritten: applied.filter((a) => a.status !== 'written').map((a) => ({ id: a.id, status: a.status, ...(a.code ? { code: a.code } : {}) })) },
  });
  return { mode: 'apply', plan, applied, appliedCounts };
}

async function writeLink(source: LinkSource, link: PlannedLink): Promise<ApplyOutcome> {
  const ref = { kind: link.kind, id: link.id, field: link.field };
  try {
    await source.updateLink(link.id, link.newText!, link.oldText);
    return { ...ref, status: 'written' };
  } catch (error) {
    if (isProductSourceError(error, 'conflict')) return { ...ref, status: 'conflict', code: 'conflict' };
    if (isProductSourceError(error, 'not_found')) return { ...ref, status: 'not_found', code: 'not_found' };
    return { ...ref, status: 'failed', code: isProductSourceError(error) ? error.code : 'unexpected' };
  }
}

/** Whether the run needs a person: unmatched old links, refusals, conflicts or failed writes (exit code 3). */
export function needsAttention(report: RewriteLinksReport): boolean {
  const c = report.appliedCounts;
  return report.plan.counts.unmatched > 0 || report.plan.counts.refused > 0 || (c !== undefined && c.conflict + c.not_found + c.failed > 0);
}
