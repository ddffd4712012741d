import { readinessStatusWords } from '../core/glossary/glossary.ts';
import { REASONS } from '../core/readiness/reasons.ts';
import type { ReadinessReport, UserReadiness } from '../core/readiness/report.ts';
import { stringSink, type TextSink } from './text-sink.ts';

// The label columns come last: a spreadsheet or script that reads the columns by position keeps working.
const HEADER = ['subscription_id', 'id', 'email', 'normalized_email', 'status', 'admin', 'reason_codes', 'messages', 'fixes', 'ims_match', 'other_subscriptions', 'status_label', 'reason_labels'];

/**
 * One row per user; several reasons are `;`-separated inside one cell (codes, labels) or ` | `-separated (sentences).
 * Codes for scripts, labels and sentences for people. RFC 4180 quoting.
 */
export function renderReadinessCsv(report: ReadinessReport): string {
  const sink = stringSink();
  writeReadinessCsv(report.users, sink);
  return sink.text();
}

/** The CSV report written row by row as the users come (it has no summary, so nothing waits for the last one). */
export function writeReadinessCsv(users: Iterable<UserReadiness>, sink: TextSink): void {
  sink.write(`${HEADER.join(',')}\r\n`);
  for (const u of users) sink.write(`${csvRow(u)}\r\n`);
}

function csvRow(u: UserReadiness): string {
  const none = u.reasons.length === 0;
  return [
    u.subscriptionId, u.id, u.email, u.normalizedEmail ?? '', u.status, String(u.admin),
    none ? '' : u.reasons.map((r) => r.code).join(';'), none ? '' : u.reasons.map((r) => r.message).join(' | '), none ? '' : u.reasons.map((r) => r.fix).join(' | '),
    u.match.kind === 'existing' ? `existing:${u.match.accountId}` : u.match.kind, u.otherSubscriptions.join(';'),
    readinessStatusWords(u.status).label, none ? '' : u.reasons.map((r) => REASONS[r.code].label).join('; '),
  ].map(csvCell).join(',');
}

export function csvCell(s: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet (CSV injection); prefix it with a quote.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
