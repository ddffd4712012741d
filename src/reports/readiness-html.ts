import { formatDayTime } from '../core/glossary/dates.ts';
import { readinessStatusWords } from '../core/glossary/glossary.ts';
import { listPeople, nameOf, personLabel } from '../core/glossary/people.ts';
import { SEVERITY_LABELS } from '../core/glossary/reason-words.ts';
import { REASONS } from '../core/readiness/reasons.ts';
import type { ReadinessReport, ReadinessSummary, ReasonCode, UserReadiness } from '../core/readiness/report.ts';
import { stringSink, type TextSink } from './text-sink.ts';

/**
 * A single self-contained HTML file (inline CSS, a few lines of optional JS for filtering) that a person can
 * forward to their team. Works without JavaScript; every value is escaped.
 */
export function renderReadinessHtml(report: ReadinessReport, meta: { title?: string; generatedAt?: string } = {}): string {
  const sink = stringSink();
  writeReadinessHtml(report.summary, report.users, sink, meta);
  return sink.text();
}

/** The same page written row by row: the summary, then each user's row as it comes, then the closing tags. */
export function writeReadinessHtml(s: ReadinessSummary, users: Iterable<UserReadiness>, sink: TextSink, meta: { title?: string; generatedAt?: string } = {}): void {
  const title = meta.title ?? `Readiness report — ${s.subscriptions.map((x) => x.name).join(', ')}`;
  const cards = Object.entries(s.byStatus).map(([k, n]) => `<div class="card s-${k}"><b>${n}</b><span>${label(k)}</span></div>`).join('');
  // Each reason as a person reads it (label, sentence, fix), with its code beside it for support and scripts.
  const reasonRows = (Object.entries(s.byReason) as [ReasonCode, number][]).sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `<tr><td>${esc(REASONS[code].label)}</td><td><code>${code}</code></td><td>${SEVERITY_LABELS[REASONS[code].severity]}</td><td>${n}</td><td>${esc(REASONS[code].message)}</td><td>${esc(REASONS[code].fix)}</td></tr>`).join('');
  sink.write(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1.5rem;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
.cards{display:flex;flex-wrap:wrap;gap:.75rem}.card{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.5rem}.ok{color:#0a6b2e}.bad{color:#a4161a}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{font-size:.9em}.tag{background:#1b4f91;color:#fff;border-radius:3px;padding:0 .3rem;font-size:.8em}
.s-eligible{color:#0a6b2e}.s-blocked{color:#a4161a}.s-needs_email_verification{color:#8a5300}.s-stays_local{color:#1b4f91}.s-not_migrated{color:#555}
.r{margin-bottom:.3rem}.r.warn code{color:#8a5300}.r.block code{color:#a4161a}small{color:#444}
label{margin-right:.5rem}
</style></head><body>
<h1>${esc(title)}</h1>
${meta.generatedAt ? `<p>Generated ${esc(formatDayTime(meta.generatedAt, 'UTC'))}.</p>` : ''}
<p class="${s.adminsReady ? 'ok' : 'bad'}">${s.adminsReady ? `All ${s.admins} admins are ready to migrate first.` : `Admins not ready: ${s.adminsNotReady.length} of ${s.admins}: ${esc(listPeople(s.adminsNotReady, s.adminNames, 20))}. Admins migrate first; fix them before the migration date.`}</p>
<div class="cards">${cards}<div class="card"><b>${s.emailVerification.verified} / ${s.emailVerification.required}</b><span>emails verified</span></div></div>
<h2>Reasons</h2>
${reasonRows ? `<table><thead><tr><th>reason</th><th>code</th><th>severity</th><th>users</th><th>meaning</th><th>how to fix</th></tr></thead><tbody>${reasonRows}</tbody></table>` : '<p>No findings: every user can migrate.</p>'}
<h2>Users (${s.total})</h2>
<form id="f" aria-label="Filter users by status">${Object.keys(s.byStatus).map((k) => `<label><input type="checkbox" name="${k}" checked> ${label(k)}</label>`).join('')}</form>
<table id="users"><thead><tr><th>subscription</th><th>user</th><th>email</th><th>status</th><th>reasons</th></tr></thead><tbody>
`);
  let first = true;
  for (const u of users) {
    sink.write(first ? userRow(u, s.adminNames) : `\n${userRow(u, s.adminNames)}`);
    first = false;
  }
  sink.write(`
</tbody></table>
<script>document.getElementById('f').addEventListener('change',e=>{const on=new Set([...new FormData(e.currentTarget).keys()]);for(const r of document.querySelectorAll('#users tbody tr'))r.hidden=!on.has(r.dataset.status)})</script>
</body></html>
`);
}

function userRow(u: UserReadiness, names: Record<string, string> | undefined): string {
  const who = u.admin ? personLabel(u.id, nameOf(names, u.id)) : u.id;
  return `<tr data-status="${u.status}"><td>${esc(u.subscriptionId)}</td><td>${esc(who)}${u.admin ? ' <span class="tag">admin</span>' : ''}</td><td>${esc(u.email)}</td><td class="st s-${u.status}">${label(u.status)}</td><td>${u.reasons.map((r) => `<div class="r ${r.severity}" data-code="${r.code}"><b>${esc(REASONS[r.code].label)}</b> <code>${r.code}</code><br>${esc(r.message)}<br><small>Fix: ${esc(r.fix)}</small></div>`).join('')}</td></tr>`;
}

function label(status: string): string {
  return esc(readinessStatusWords(status).label);
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
