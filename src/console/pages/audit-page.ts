import type { AuditQuery, AuditRow } from '../audit-query.ts';
import { emptyState, html, raw, subscriptionPath, type SafeHtml } from './layout.ts';
import { nameOf, personLabel } from '../../core/glossary/people.ts';
import { formatInstant } from './labels.ts';

export function auditHref(base: string, q: AuditQuery, before: number | null = null): string {
  const params = new URLSearchParams();
  if (q.action) params.set('action', q.action);
  if (q.actor) params.set('actor', q.actor);
  if (before !== null) params.set('before', String(before));
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}

/** Every admin action and state change of the subscription, newest first, filterable, exportable. */
export function renderAuditPage(input: {
  subscriptionId: string; timeZone: string; query: AuditQuery; rows: AuditRow[]; nextBefore: number | null; actions: string[];
  /** Names of the people in the rows, by actor (`admin:<IMS subject>`) or target (product user id): "Ann Smith (1003)". */
  people?: Readonly<Record<string, string>>;
}): SafeHtml {
  const base = subscriptionPath(input.subscriptionId, '/audit');
  const q = input.query;
  const families = [...new Set(input.actions.map((a) => `${a.split(':')[0]}:`))];
  return html`
<p>Every admin action and every state change of this subscription's migration, newest first. Entries are never changed or deleted. Times are in ${input.timeZone}.</p>
<form method="get" action="${base}" class="filters" role="search" aria-label="Filter the audit log">
<div class="field"><label for="a-action">Action</label><select id="a-action" name="action"><option value="">All actions</option>
${families.map((f) => html`<option value="${f}"${raw(q.action === f ? ' selected' : '')}>${f}* (all)</option>`)}
${input.actions.map((a) => html`<option value="${a}"${raw(q.action === a ? ' selected' : '')}>${a}</option>`)}</select></div>
<div class="field"><label for="a-actor">Actor</label><input type="text" id="a-actor" name="actor" value="${q.actor}" aria-describedby="a-actor-hint"><span class="hint" id="a-actor-hint">Exact, or a prefix ending in * (admin:*)</span></div>
<button type="submit">Apply</button>${q.action || q.actor ? html` <a href="${base}">Clear filters</a>` : ''}
</form>
<p class="actions"><a class="button secondary" href="${auditHref(`${base}.csv`, q)}" download>Export CSV</a></p>
${input.rows.length === 0 ? emptyState('No entries', q.action || q.actor ? 'Nothing matches these filters.' : 'Nothing has happened in this subscription yet.') : html`
<div class="table-wrap" role="region" aria-labelledby="audit-caption" tabindex="0"><table><caption id="audit-caption">Audit entries</caption>
<thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Details</th></tr></thead>
<tbody>${input.rows.map((r) => html`<tr><td>${r.seq}</td><td>${formatInstant(r.at, input.timeZone)}</td><td class="code">${personLabel(r.actor, nameOf(input.people, r.actor))}</td><td><code>${r.action}</code></td><td class="code">${r.target ? personLabel(r.target, nameOf(input.people, r.target)) : ''}</td><td>${details(r.details)}</td></tr>`)}</tbody></table></div>`}
<nav class="pager" aria-label="Pages">
${q.before !== null ? html`<a href="${auditHref(base, q)}">Newest entries</a>` : ''}
${input.nextBefore !== null ? html`<a href="${auditHref(base, q, input.nextBefore)}" rel="next">Older entries</a>` : ''}
</nav>`;
}

function details(d: Record<string, unknown>): string {
  return Object.entries(d).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ');
}
