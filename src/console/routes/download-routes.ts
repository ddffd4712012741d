import type { ServerResponse } from 'node:http';
import { csvCell, renderReadinessCsv } from '../../reports/readiness-csv.ts';
import { renderReadinessHtml } from '../../reports/readiness-html.ts';
import type { AuditEntry } from '../../store/store.ts';
import { parseAuditQuery } from '../audit-query.ts';
import type { ConsoleContext, SubscriptionRequest } from '../console-context.ts';
import { HttpError, sendDownload } from '../console-http.ts';
import { filteredReport, parseReadinessQuery } from '../readiness-filter.ts';

/** The readiness report as CSV or as the self-contained HTML file (the users matching the page's filters). */
export async function downloadReadiness(ctx: ConsoleContext, r: SubscriptionRequest, format: 'csv' | 'html', res: ServerResponse): Promise<void> {
  const data = await ctx.data.readiness(r.subscriptionId);
  if (!data) throw new HttpError(404, 'not_found', 'No import of this subscription yet.');
  const report = filteredReport(data.report, parseReadinessQuery(r.url.searchParams));
  const name = `readiness-${r.subscriptionId}`;
  if (format === 'csv') sendDownload(res, renderReadinessCsv(report), { type: 'text/csv; charset=utf-8', filename: `${name}.csv` });
  else sendDownload(res, renderReadinessHtml(report, { title: `Readiness report — ${data.subscription.name}`, generatedAt: ctx.now().toISOString() }), { type: 'text/html; charset=utf-8', filename: `${name}.html` });
}

/**
 * The subscription's audit log as CSV, oldest first, from the store's `listAudit` (exact filters in the query,
 * the console's prefix filters — `user:`, `admin:*` — applied on the way out).
 */
export async function downloadAudit(ctx: ConsoleContext, r: SubscriptionRequest, res: ServerResponse): Promise<void> {
  const q = parseAuditQuery(r.url.searchParams);
  const actionPrefix = q.action.endsWith(':') ? q.action : null;
  const actorPrefix = q.actor.endsWith('*') ? q.actor.slice(0, -1) : null;
  const entries = await ctx.store.listAudit({
    subscriptionId: r.subscriptionId,
    ...(q.action && !actionPrefix ? { action: q.action } : {}),
    ...(q.actor && actorPrefix === null ? { actor: q.actor } : {}),
  });
  const keep = (e: AuditEntry) => (!actionPrefix || e.action.startsWith(actionPrefix)) && (actorPrefix === null || e.actor.startsWith(actorPrefix));
  const lines = ['seq,at,actor,action,target,details'];
  for (const e of entries) if (keep(e)) lines.push([String(e.seq), e.at, e.actor, e.action, e.target ?? '', JSON.stringify(e.details)].map(csvCell).join(','));
  sendDownload(res, `${lines.join('\r\n')}\r\n`, { type: 'text/csv; charset=utf-8', filename: `audit-${r.subscriptionId}.csv` });
}

type DownloadRoute = (ctx: ConsoleContext, r: SubscriptionRequest, res: ServerResponse) => Promise<void>;

/** The subscription's downloads (GET), by path under `/console/s/:id`. */
export const DOWNLOADS: Record<string, DownloadRoute> = {
  '/readiness.csv': (ctx, r, res) => downloadReadiness(ctx, r, 'csv', res),
  '/readiness.html': (ctx, r, res) => downloadReadiness(ctx, r, 'html', res),
  '/audit.csv': downloadAudit,
};
