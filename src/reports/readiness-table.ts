import { readinessStatusWords, reasonLabel } from '../core/glossary/glossary.ts';
import { listPeople } from '../core/glossary/people.ts';
import type { ReadinessReport, ReadinessSummary, UserReadiness } from '../core/readiness/report.ts';

/** The terminal view: users who need attention (capped), then the summary a person reads first. */
export function renderReadinessTable(report: ReadinessReport, opts: { limit?: number; color?: boolean } = {}): string {
  return renderReadinessTableOf(report.summary, report.users, opts);
}

/**
 * The same from decisions as they come: only the first `limit` users who need attention are kept. The summary may
 * be given as a function, asked for once the users have been read (a run counts it while they pass).
 */
export function renderReadinessTableOf(summary: ReadinessSummary | (() => ReadinessSummary), users: Iterable<UserReadiness>, opts: { limit?: number; color?: boolean } = {}): string {
  const limit = opts.limit ?? 100;
  const paint = (code: number, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const shown: UserReadiness[] = [];
  let attention = 0;
  for (const u of users) {
    if (!needsAttention(u)) continue;
    attention++;
    if (shown.length < limit) shown.push(u);
  }
  const out: string[] = [];
  if (attention > 0 && limit > 0) {
    const rows = shown.map((u) => [u.subscriptionId, u.id + (u.admin ? ' (admin)' : ''), u.email, u.status, codes(u)]);
    out.push(...table(['subscription', 'user', 'email', 'status', 'reasons'], rows));
    if (attention > limit) out.push(`… and ${attention - limit} more users need attention (use --format csv or html for all)`);
    out.push('');
  }
  const s = typeof summary === 'function' ? summary() : summary;
  out.push(paint(1, `Readiness of ${s.total} users in ${s.subscriptions.length} subscription${s.subscriptions.length === 1 ? '' : 's'}`));
  const statusColor: Record<string, number> = { eligible: 32, needs_email_verification: 33, blocked: 31, stays_local: 36, not_migrated: 90 };
  for (const [status, n] of Object.entries(s.byStatus)) out.push(`  ${paint(statusColor[status] ?? 0, readinessStatusWords(status).label.padEnd(26))}${String(n).padStart(9)}`);
  out.push(`  email verification           ${s.emailVerification.verified} of ${s.emailVerification.required} verified`);
  out.push(s.adminsReady
    ? paint(32, `  admins: all ${s.admins} ready to migrate first`)
    : paint(31, `  admins: NOT ready — ${s.adminsNotReady.length} of ${s.admins} need attention${s.adminsNotReady.length ? ` (${listPeople(s.adminsNotReady, s.adminNames)})` : ''}`));
  const reasons = Object.entries(s.byReason).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    out.push('  reasons:');
    // The label a person reads, then the code docs/readiness.md and the other formats use.
    for (const [code, n] of reasons) out.push(`    ${reasonLabel(code).padEnd(34)}${String(n).padStart(7)}  ${code}`);
  }
  out.push('  See docs/readiness.md for what each reason means and how to fix it.');
  return out.join('\n') + '\n';
}

function needsAttention(u: UserReadiness): boolean {
  return u.status !== 'eligible' && u.status !== 'stays_local' && u.status !== 'not_migrated' || u.reasons.some((r) => r.severity === 'block');
}

function codes(u: UserReadiness): string {
  return u.reasons.filter((r) => r.severity === 'block' || u.status !== 'eligible').map((r) => r.code).join(', ');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const fmt = (r: string[]) => r.map((c, i) => clip(c, widths[i]!).padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
}

function clip(s: string, w: number): string {
  return s.length > w ? `${s.slice(0, w - 1)}…` : s;
}
