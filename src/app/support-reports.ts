import type { AccessDiff } from '../core/access/diff-access.ts';
import type { RewriteLinksReport } from '../links/rewrite-links.ts';
import type { TicketMigrationReport } from '../tickets/migrate-tickets.ts';

/** One URL of the link-rewrite report as the console lists it. */
export interface LinkRewriteItem {
  kind: string;
  id: string;
  field: string;
  from: string;
  to: string | null;
  /** `unmatched`: on an old host and no rule matched; `refused`: a rule matched but may not send it there. */
  status: 'rewritten' | 'unmatched' | 'refused';
  /** Why a rule refused it (`target_not_allowed`...), and which rule. */
  reason?: string;
  ruleId?: string;
}

/** The link-rewrite report as the console shows it (an adapter maps the link rewriter's own report onto it). */
export interface LinkRewriteView {
  generatedAt?: string;
  /** A dry run (nothing written) or an applied rewrite. */
  mode: 'dry_run' | 'apply';
  /** Stored texts read, and those whose text changes. */
  records: number;
  toChange: number;
  /** URLs found in them (report subscriptions, bookmarks, email templates...). */
  total: number;
  rewritten: number;
  /** URLs on an old host no rule rewrote (unmatched or refused): they still point at the old URL (highlighted). */
  unmatched: number;
  /** After an apply: records written, changed by someone meanwhile (not overwritten), gone, failed. */
  applied?: { written: number; conflict: number; not_found: number; failed: number };
  /** The URLs that need a person, then the rewritten ones; URLs that are not old links are left out. */
  items: LinkRewriteItem[];
}

export interface TicketPhaseView {
  total: number;
  migrated: number;
  failed: number;
}

/** A kept report with when it was made (and, for tickets, the file or source they were read from). */
export interface StoredSupportReport<T> {
  at: string;
  source?: string | null;
  report: T;
}

/** One ticket of the IMS-side support store: whose it is now and why (the Support & links CSV). */
export interface MovedTicketRow {
  ticketId: string;
  status: string;
  submitterUserId: string;
  /** The product user whose IMS account holds it now (an admin's when `attribution` is `admin_fallback`). */
  attributedToUserId: string;
  attribution: string;
  reason: string | null;
  messages: number;
  movedAt: string;
}

/**
 * Where the Support & links page reads from. Each part is optional: a missing part shows a clear empty state.
 * `rehome tickets`, the link rewriter (src/links) and `rehome verify` (the access diff, src/core/access) and the
 * console's own buttons for them provide these; the reports are the ones the CLI prints with `--format json`.
 */
export interface SupportReports {
  tickets?(subscriptionId: string): Promise<TicketPhaseView | undefined>;
  linkRewrite?(subscriptionId: string): Promise<LinkRewriteView | undefined>;
  accessDiff?(subscriptionId: string): Promise<AccessDiff | undefined>;
  ticketReport?(subscriptionId: string): Promise<StoredSupportReport<TicketMigrationReport> | undefined>;
  linkReport?(subscriptionId: string): Promise<StoredSupportReport<RewriteLinksReport> | undefined>;
  accessReport?(subscriptionId: string): Promise<StoredSupportReport<AccessDiff> | undefined>;
  movedTickets?(subscriptionId: string): Promise<MovedTicketRow[]>;
}
