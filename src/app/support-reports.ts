import type { AccessDiff } from '../core/access/diff-access.ts';

/** The link-rewrite report as the console shows it (an adapter maps the link rewriter's own report onto it). */
export interface LinkRewriteView {
  generatedAt?: string;
  /** Stored links looked at (report subscriptions, bookmarks, email templates...). */
  total: number;
  rewritten: number;
  /** Links no rule matched: they still point at the old URL (highlighted). */
  unmatched: number;
  items: { where: string; from: string; to: string | null; status: 'rewritten' | 'unmatched' | 'unchanged' }[];
}

export interface TicketPhaseView {
  total: number;
  migrated: number;
  failed: number;
}

/**
 * Where the Support & links page reads from. Each part is optional: a missing part shows a clear empty state.
 * The link rewriter (src/links) and `rehome verify` (the access diff, src/core/access) provide these.
 */
export interface SupportReports {
  tickets?(subscriptionId: string): Promise<TicketPhaseView | undefined>;
  linkRewrite?(subscriptionId: string): Promise<LinkRewriteView | undefined>;
  accessDiff?(subscriptionId: string): Promise<AccessDiff | undefined>;
}
