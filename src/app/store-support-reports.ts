import type { Kysely } from 'kysely';
import type { AccessDiff } from '../core/access/diff-access.ts';
import type { RewriteLinksReport } from '../links/rewrite-links.ts';
import type { TicketMigrationReport } from '../tickets/migrate-tickets.ts';
import { latestReport } from '../reports/report-store.ts';
import type { LinkRewriteView, SupportReports } from './support-reports.ts';

/** The Support & links page from what the store holds: the last ticket run, link-rewrite report and access diff. */
export function storeSupportReports(kysely: Kysely<any>): SupportReports {
  return {
    async tickets(subscriptionId) {
      const row = await kysely.selectFrom('mig_ticket_reports').select('report').where('subscription_id', '=', subscriptionId).orderBy('id', 'desc').limit(1).executeTakeFirst();
      if (!row) return undefined;
      const r = JSON.parse(row.report as string) as TicketMigrationReport;
      const total = r.reconciliation.ticketsIn;
      return { total, migrated: r.stored.tickets, failed: Math.max(0, total - r.stored.tickets) };
    },
    async linkRewrite(subscriptionId) {
      const hit = await latestReport<RewriteLinksReport>(kysely, subscriptionId, 'link_rewrite');
      return hit ? toLinkView(hit.report, hit.at) : undefined;
    },
    async accessDiff(subscriptionId) {
      return (await latestReport<AccessDiff>(kysely, subscriptionId, 'access_diff'))?.report;
    },
  };
}

function toLinkView(report: RewriteLinksReport, at: string): LinkRewriteView {
  const items: LinkRewriteView['items'] = [];
  for (const link of report.plan.links) {
    for (const u of link.urls) {
      if (u.outcome === 'refused') items.push({ where: `${link.kind} ${link.id} (${link.field})`, from: u.old, to: null, status: 'unmatched' });
      else items.push({ where: `${link.kind} ${link.id} (${link.field})`, from: u.old, to: u.new ?? null, status: u.outcome });
    }
  }
  const c = report.plan.counts;
  return { generatedAt: at, total: c.seen, rewritten: c.rewritten, unmatched: c.unmatched + c.refused, items };
}
