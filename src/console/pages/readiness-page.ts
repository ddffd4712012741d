import { readinessStatusWords } from '../../core/glossary/glossary.ts';
import { listPeople, nameOf, personLabel } from '../../core/glossary/people.ts';
import { REASONS } from '../../core/readiness/reasons.ts';
import { READINESS_STATUSES, type ReadinessReport, type ReasonCode, type UserReadiness } from '../../core/readiness/report.ts';
import { filterReadiness, readinessHref, type ReadinessQuery } from '../readiness-filter.ts';
import { emptyState, html, raw, subscriptionPath, type SafeHtml } from './layout.ts';
import { formatMoment } from './labels.ts';

const PAGE_SIZE = 50;

export function statusLabel(s: string): string {
  return readinessStatusWords(s).label;
}

/**
 * The readiness report as a page: summary, the filters and the users they select, then every reason with its fix.
 * The filters come first, right under the summary: below the reason table (twenty rows of sentences) nobody saw them.
 */
export function renderReadinessPage(input: { subscriptionId: string; report: ReadinessReport | undefined; snapshotAt: string | null; query: ReadinessQuery; timeZone?: string }): SafeHtml {
  const { report, query } = input;
  const base = subscriptionPath(input.subscriptionId, '/readiness');
  if (!report) return emptyState('No data imported yet', 'Import the subscription\'s users and the IMS directory (rehome import), then come back: the report is computed from the newest import.');
  const s = report.summary;
  const users = filterReadiness(report, query);
  const pages = Math.max(1, Math.ceil(users.length / PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const shown = users.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const reasons = (Object.entries(s.byReason) as [ReasonCode, number][]).sort((a, b) => b[1] - a[1]);
  const downloadQuery = readinessHref('', query, { page: 1 });
  const filtered = Boolean(query.q || query.status || query.reason);
  return html`
<p>Who can migrate, who cannot yet, why, and how to fix it. Computed from the import of ${input.snapshotAt ? formatMoment(input.snapshotAt, input.timeZone ?? 'UTC') : 'the newest snapshot'}; fix the causes in the product or the IMS, import again and this page follows.</p>
<div class="card-row">${READINESS_STATUSES.map((k) => html`<div class="card"><b>${s.byStatus[k]}</b><span><a href="${readinessHref(base, { status: k, reason: null, q: '', page: 1 })}">${statusLabel(k)}</a></span></div>`)}
<div class="card"><b>${s.emailVerification.verified} / ${s.emailVerification.required}</b><span>emails verified</span></div></div>
<p class="${s.adminsReady ? 'ok' : 'bad'}">${s.adminsReady ? `All ${s.admins} admins are ready to migrate first.` : `${s.adminsNotReady.length} of ${s.admins} admins ${s.adminsNotReady.length === 1 ? 'is' : 'are'} not ready: ${listPeople(s.adminsNotReady, s.adminNames)}. Admins migrate first: fix them before the migration date.`}</p>

<h2 id="users-h">Users</h2>
<form method="get" action="${base}" class="filters" id="readiness-filters" role="search" aria-label="Filter the readiness report">
<div class="field"><label for="r-q">Search</label><input type="search" id="r-q" name="q" value="${query.q}" placeholder="id or email"></div>
<div class="field"><label for="r-status">Status</label><select id="r-status" name="status"><option value="">All statuses</option>${READINESS_STATUSES.map((k) => html`<option value="${k}"${raw(query.status === k ? ' selected' : '')}>${statusLabel(k)} (${s.byStatus[k]})</option>`)}</select></div>
<div class="field"><label for="r-reason">Reason</label><select id="r-reason" name="reason"><option value="">Any reason</option>${reasons.map(([code, n]) => html`<option value="${code}"${raw(query.reason === code ? ' selected' : '')}>${REASONS[code].label} (${n})</option>`)}</select></div>
<button type="submit">Apply</button>${filtered ? html` <a href="${base}">Clear filters</a>` : ''}
</form>
<p class="actions"><a class="button secondary" href="${base}.csv${downloadQuery}" download>Download CSV</a> <a class="button secondary" href="${base}.html${downloadQuery}" download>Download HTML report</a>
<span class="hint">Downloads hold the users matching ${filtered ? 'these filters' : 'the filters above (now: everyone)'}.</span></p>
<p>${users.length === 0 ? 'No users match.' : `Showing ${(page - 1) * PAGE_SIZE + 1}–${Math.min(users.length, page * PAGE_SIZE)} of ${users.length.toLocaleString('en-US')} ${users.length === 1 ? 'user' : 'users'}.`}</p>
${users.length === 0 ? emptyState('No users match', html`Try another filter or <a href="${base}">clear the filters</a>.`) : html`<div class="table-wrap" role="region" aria-labelledby="users-h" tabindex="0"><table id="readiness-users">
<thead><tr><th scope="col">User</th><th scope="col">Email</th><th scope="col">Status</th><th scope="col">Reasons and fixes</th></tr></thead>
<tbody>${shown.map((u) => row(u, s.adminNames))}</tbody></table></div>`}
<nav class="pager" aria-label="Pages">
${page > 1 ? html`<a href="${readinessHref(base, query, { page: page - 1 })}" rel="prev">Previous page</a>` : ''}
<span>Page ${page} of ${pages}</span>
${page < pages ? html`<a href="${readinessHref(base, query, { page: page + 1 })}" rel="next">Next page</a>` : ''}
</nav>

<h2 id="reasons-h">Reasons and how to fix them</h2>
${reasons.length === 0 ? emptyState('No findings', 'Every user can migrate.') : html`<div class="table-wrap" role="region" aria-labelledby="reasons-h" tabindex="0"><table id="readiness-reasons">
<thead><tr><th scope="col">Reason</th><th scope="col">Users</th><th scope="col">What it means</th><th scope="col">How to fix it</th></tr></thead>
<tbody>${reasons.map(([code, n]) => html`<tr data-code="${code}"><td><a href="${readinessHref(base, { status: null, reason: code, q: '', page: 1 })}#users-h">${REASONS[code].label}</a></td><td>${n}</td><td>${REASONS[code].message}</td><td>${REASONS[code].fix}</td></tr>`)}</tbody></table></div>`}`;
}

function row(u: UserReadiness, names: Record<string, string> | undefined): SafeHtml {
  // Admins by name and id (the summary carries their names); other users by id, which is all the report knows.
  const who = u.admin ? html`${personLabel(u.id, nameOf(names, u.id))} <span class="tag">admin</span>` : html`<span class="code">${u.id}</span>`;
  return html`<tr><td>${who}</td><td>${u.email}</td><td class="st st-${u.status}">${statusLabel(u.status)}</td>
<td>${u.reasons.length === 0 ? 'Ready' : u.reasons.map((r) => html`<div class="reason" data-code="${r.code}"><strong>${REASONS[r.code].label}:</strong> ${r.message}<small>Fix: ${r.fix}</small></div>`)}</td></tr>`;
}
