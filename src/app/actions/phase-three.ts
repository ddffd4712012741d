import type { AccessSnapshot } from '../../core/access/access-snapshot.ts';
import { diffAccess, type AccessDiff } from '../../core/access/diff-access.ts';
import type { CompiledUrlRules } from '../../core/urls/url-rule-types.ts';
import type { SupportTicket } from '../../core/tickets/ticket.ts';
import { rewriteLinks, type LinkSource, type RewriteLinksReport } from '../../links/rewrite-links.ts';
import { saveReport } from '../../reports/report-store.ts';
import { migrateTickets, type TicketMigrationReport } from '../../tickets/migrate-tickets.ts';
import type { RehomeApp } from '../compose.ts';

/** Phase 3: move the support tickets to the IMS side, re-attributed, and reconcile the counts (`rehome tickets`). */
export function moveSupportTickets(app: RehomeApp, input: { subscriptionId: string; tickets: readonly SupportTicket[]; source: string; dryRun: boolean; actor: string; onBatch?: (done: number, total: number) => void }): Promise<TicketMigrationReport> {
  return migrateTickets(
    { db: app.store.kysely, now: app.now, actor: input.actor, ...(input.onBatch ? { onBatch: input.onBatch } : {}) },
    { subscriptionId: input.subscriptionId, tickets: input.tickets, source: input.source, dryRun: input.dryRun },
  );
}

/**
 * Rewrites stored links to the new URL structure (a dry run unless `apply`); applied changes are audited and the
 * report (dry run or applied) is kept for the console's Support & links page.
 */
export async function rewriteStoredLinks(app: RehomeApp, input: { source: LinkSource; rules: CompiledUrlRules; apply: boolean; subscriptionId: string | null; actor: string }): Promise<RewriteLinksReport> {
  const report = await rewriteLinks({
    source: input.source, rules: input.rules, apply: input.apply, actor: input.actor, subscriptionId: input.subscriptionId, now: app.now,
    ...(input.apply ? { audit: (entry) => app.store.appendAudit(entry) } : {}),
  });
  if (input.subscriptionId) await saveReport(app.store.kysely, { subscriptionId: input.subscriptionId, kind: 'link_rewrite', at: app.now().toISOString(), report });
  return report;
}

/** Access before and after the move, per user; kept for the console when it names a subscription (`rehome verify`). */
export async function verifyAccess(app: RehomeApp, input: { before: AccessSnapshot; after: AccessSnapshot; subscriptionId: string | null }): Promise<AccessDiff> {
  const diff = diffAccess(input.before, input.after);
  if (input.subscriptionId) await saveReport(app.store.kysely, { subscriptionId: input.subscriptionId, kind: 'access_diff', at: app.now().toISOString(), report: diff });
  return diff;
}
