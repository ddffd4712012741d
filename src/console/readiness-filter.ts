import { READINESS_STATUSES, type ReadinessReport, type ReadinessStatus, type ReasonCode, type UserReadiness } from '../core/readiness/report.ts';
import { REASONS } from '../core/readiness/reasons.ts';

export interface ReadinessQuery {
  status: ReadinessStatus | null;
  reason: ReasonCode | null;
  q: string;
  page: number;
}

export function parseReadinessQuery(params: URLSearchParams): ReadinessQuery {
  const status = params.get('status');
  const reason = params.get('reason');
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  return {
    status: status && (READINESS_STATUSES as string[]).includes(status) ? status as ReadinessStatus : null,
    reason: reason && reason in REASONS ? reason as ReasonCode : null,
    q: (params.get('q') ?? '').trim().slice(0, 200),
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/** The users of the report that match the filters (status, reason code, text in id/email). */
export function filterReadiness(report: ReadinessReport, q: ReadinessQuery): UserReadiness[] {
  const needle = q.q.toLowerCase();
  return report.users.filter((u) => (!q.status || u.status === q.status)
    && (!q.reason || u.reasons.some((r) => r.code === q.reason))
    && (!needle || u.id.toLowerCase() === needle || u.email.toLowerCase().includes(needle) || (u.normalizedEmail ?? '').includes(needle)));
}

/** A report holding only the filtered users (the summary stays the whole subscription's), for downloads. */
export function filteredReport(report: ReadinessReport, q: ReadinessQuery): ReadinessReport {
  return q.status || q.reason || q.q ? { ...report, users: filterReadiness(report, q) } : report;
}

export function readinessHref(base: string, q: ReadinessQuery, change: Partial<ReadinessQuery> = {}): string {
  const v = { ...q, ...change };
  const params = new URLSearchParams();
  if (v.status) params.set('status', v.status);
  if (v.reason) params.set('reason', v.reason);
  if (v.q) params.set('q', v.q);
  if (v.page > 1) params.set('page', String(v.page));
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}
