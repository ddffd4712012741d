/**
 * What `rehome rewrite-links` would change, as data: per stored link (one text field of one record), the new text
 * and each URL found in it with its outcome. Pure: the dry run prints this plan, `--apply` writes it.
 */
import { rewriteLinksInText, type LinkContext } from '../core/urls/find-links.ts';
import type { CompiledUrlRules, RefusalReason } from '../core/urls/url-rule-types.ts';
import type { ProductLink } from '../ports/product-source.ts';

/** One URL inside a stored text. */
export interface UrlOutcome {
  outcome: 'rewritten' | 'unchanged' | 'unmatched' | 'refused';
  /** The URL as found (entities decoded). */
  old: string;
  new?: string;
  ruleId?: string;
  reason?: RefusalReason;
  context: LinkContext;
}

export interface PlannedLink {
  kind: string;
  id: string;
  field: string;
  oldText: string;
  /** Set when the text changes. */
  newText?: string;
  urls: UrlOutcome[];
}

export interface UrlCounts {
  /** Every http(s) URL found in the texts. */
  seen: number;
  rewritten: number;
  /** Not an old link (another site) or already in the new shape. */
  unchanged: number;
  /** On an old host, but no rule matched: add a rule. */
  unmatched: number;
  refused: number;
}

export interface LinkRewritePlan {
  records: number;
  /** Records whose text changes. */
  toChange: number;
  counts: UrlCounts;
  byKind: Record<string, UrlCounts & { records: number; toChange: number }>;
  /** Every record with at least one URL, in input order. */
  links: PlannedLink[];
}

export function emptyUrlCounts(): UrlCounts {
  return { seen: 0, rewritten: 0, unchanged: 0, unmatched: 0, refused: 0 };
}

export function planLinkRewrites(links: readonly ProductLink[], rules: CompiledUrlRules): LinkRewritePlan {
  const counts = emptyUrlCounts();
  const byKind: LinkRewritePlan['byKind'] = {};
  const planned: PlannedLink[] = [];
  let toChange = 0;
  for (const link of links) {
    const kind = (byKind[link.kind] ??= { ...emptyUrlCounts(), records: 0, toChange: 0 });
    kind.records++;
    const result = rewriteLinksInText(link.text, rules);
    if (result.links.length === 0) continue;
    const urls = result.links.map((l): UrlOutcome => {
      const r = l.result;
      if (r.kind === 'rewritten') {
        return l.replacement === undefined
          ? { outcome: 'unchanged', old: l.url, context: l.context }
          : { outcome: 'rewritten', old: l.url, new: r.url, ruleId: r.ruleId, context: l.context };
      }
      if (r.kind === 'refused') return { outcome: 'refused', old: l.url, ruleId: r.ruleId, reason: r.reason, context: l.context };
      return { outcome: l.knownHost ? 'unmatched' : 'unchanged', old: l.url, context: l.context };
    });
    for (const u of urls) {
      counts.seen++;
      kind.seen++;
      counts[u.outcome]++;
      kind[u.outcome]++;
    }
    if (result.changed) {
      toChange++;
      kind.toChange++;
    }
    planned.push({ kind: link.kind, id: link.id, field: link.field, oldText: link.text, ...(result.changed ? { newText: result.text } : {}), urls });
  }
  return { records: links.length, toChange, counts, byKind, links: planned };
}
