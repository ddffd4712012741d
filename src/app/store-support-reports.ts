import type { Kysely } from 'kysely';
import type { AccessDiff } from '../core/access/diff-access.ts';
import type { RewriteLinksReport } from '../links/rewrite-links.ts';
import type { TicketMigrationReport } from '../tickets/migrate-tickets.ts';
import type { SupportTables } from '../tickets/support-schema.ts';
import { latestReport } from '../reports/report-store.ts';
import type { LinkRewriteItem, LinkRewriteView, StoredSupportReport, SupportReports } from './support-reports.ts';

/** The Support & links page from what the store holds: the last ticket run, link-rewrite report and access diff. */
export function storeSupportReports(kysely: Kysely<any>): SupportReports {
  const db = kysely as Kysely<SupportTables>;
  async function ticketReport(subscriptionId: string): Promise<StoredSupportReport<TicketMigrationReport> | undefined> {
    const row = await db.selectFrom('mig_ticket_reports').select(['at', 'source', 'report']).where('subscription_id', '=', subscriptionId).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row ? { at: row.at, source: row.source, report: JSON.parse(row.report) as TicketMigrationReport } : undefined;
  }
  const linkReport = (subscriptionId: string) => latestReport<RewriteLinksReport>(kysely, subscriptionId, 'link_rewrite');
  return {
    async tickets(subscriptionId) {
      const r = (await ticketReport(subscriptionId))?.report;
      if (!r) return undefined;
      const total = r.reconciliation.ticketsIn;
      return { total, migrated: r.stored.tickets, failed: Math.max(0, total - r.stored.tickets) };
    },
    async linkRewrite(subscriptionId) {
      const hit = await linkReport(subscriptionId);
      return hit ? toLinkView(hit.report, hit.at) : undefined;
    },
    async accessDiff(subscriptionId) {
      return (await latestReport<AccessDiff>(kysely, subscriptionId, 'access_diff'))?.report;
    },
    ticketReport,
    linkReport,
    accessReport: (subscriptionId) => latestReport<AccessDiff>(kysely, subscriptionId, 'access_diff'),
    async movedTickets(subscriptionId) {
      const rows = await db.selectFrom('ims_support_tickets')
        .select(['product_ticket_id', 'status', 'submitter_user_id', 'requester_user_id', 'attribution', 'reason', 'message_count', 'migrated_at'])
        .where('subscription_id', '=', subscriptionId).orderBy('product_ticket_id').execute();
      return rows.map((t) => ({
        ticketId: t.product_ticket_id, status: t.status, submitterUserId: t.submitter_user_id, attributedToUserId: t.requester_user_id,
        attribution: t.attribution, reason: t.reason, messages: Number(t.message_count), movedAt: t.migrated_at,
      }));
    },
  };
}

/** What needs a person first (no rule matched, or a rule refused), then what was (or would be) rewritten. */
function toLinkView(report: RewriteLinksReport, at: string): LinkRewriteView {
  const attention: LinkRewriteItem[] = [];
  const rewritten: LinkRewriteItem[] = [];
  for (const link of report.plan.links) {
    for (const u of link.urls) {
      if (u.outcome === 'unchanged') continue;
      const item: LinkRewriteItem = {
        kind: link.kind, id: link.id, field: link.field, from: u.old, to: u.new ?? null, status: u.outcome,
        ...(u.reason ? { reason: u.reason } : {}), ...(u.ruleId ? { ruleId: u.ruleId } : {}),
      };
      (u.outcome === 'rewritten' ? rewritten : attention).push(item);
    }
  }
  const c = report.plan.counts;
  return {
    generatedAt: at, mode: report.mode, records: report.plan.records, toChange: report.plan.toChange,
    total: c.seen, rewritten: c.rewritten, unmatched: c.unmatched + c.refused,
    ...(report.appliedCounts ? { applied: report.appliedCounts } : {}),
    items: [...attention, ...rewritten],
  };
}
