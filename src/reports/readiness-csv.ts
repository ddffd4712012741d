import type { ReadinessReport } from '../core/readiness/report.ts';

const HEADER = ['subscription_id', 'id', 'email', 'normalized_email', 'status', 'admin', 'reason_codes', 'messages', 'fixes', 'ims_match', 'other_subscriptions'];

/** One row per user; several reasons are `;`-separated inside one cell. RFC 4180 quoting. */
export function renderReadinessCsv(report: ReadinessReport): string {
  const lines = [HEADER.join(',')];
  for (const u of report.users) {
    lines.push([
      u.subscriptionId, u.id, u.email, u.normalizedEmail ?? '', u.status, String(u.admin),
      u.reasons.map((r) => r.code).join(';'), u.reasons.map((r) => r.message).join(' | '), u.reasons.map((r) => r.fix).join(' | '),
      u.match.kind === 'existing' ? `existing:${u.match.accountId}` : u.match.kind, u.otherSubscriptions.join(';'),
    ].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export function csvCell(s: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet (CSV injection); prefix it with a quote.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
