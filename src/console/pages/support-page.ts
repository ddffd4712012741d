import type { AccessDiff, AccessDifference } from '../../core/access/diff-access.ts';
import type { LinkRewriteView, TicketPhaseView } from '../../app/support-reports.ts';
import { emptyState, html, type SafeHtml } from './layout.ts';
import { subscriptionStateLabel } from './labels.ts';

export interface SupportPageInput {
  state: string | null;
  tickets: TicketPhaseView | undefined;
  links: LinkRewriteView | undefined;
  access: AccessDiff | undefined;
}

/** Support tickets, the link-rewrite report and the access diff, with anything lost highlighted. */
export function renderSupportPage(input: SupportPageInput): SafeHtml {
  return html`
<section class="panel" aria-labelledby="tickets-h">
<h2 id="tickets-h">Support tickets</h2>
<p>Migration: <strong>${subscriptionStateLabel(input.state)}</strong>. Support tickets move after the migration is confirmed.</p>
${input.tickets ? html`<dl class="facts"><dt>Tickets</dt><dd>${input.tickets.total}</dd><dt>Moved</dt><dd>${input.tickets.migrated}</dd><dt>Failed</dt><dd>${input.tickets.failed}</dd></dl>`
    : emptyState('No ticket report yet', input.state === 'confirmed' ? 'The migration is confirmed: the support-ticket phase can run now (rehome tickets).' : 'Tickets move once the migration is confirmed.')}
</section>

<section class="panel" aria-labelledby="links-h">
<h2 id="links-h">Stored links</h2>
${input.links ? linksTable(input.links) : emptyState('No link-rewrite report yet', 'After the move the product lives at a new URL: run rehome rewrite-links to re-point report subscriptions, bookmarks and email templates. Its report shows here.')}
</section>

<section class="panel" aria-labelledby="access-h">
<h2 id="access-h">Access before and after</h2>
${input.access ? accessTable(input.access) : emptyState('No access check yet', 'Run rehome verify after the user migration: it compares every user\'s roles, workspaces and partitions before and after, and anything lost is listed here first.')}
</section>`;
}

function linksTable(r: LinkRewriteView): SafeHtml {
  return html`<p>${r.rewritten} of ${r.total} links re-pointed; <strong>${r.unmatched} still point at the old URL</strong>${r.generatedAt ? ` (report of ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC)` : ''}.</p>
${r.items.length === 0 ? '' : html`<div class="table-wrap" role="region" aria-labelledby="links-h" tabindex="0"><table><thead><tr><th scope="col">Where</th><th scope="col">Old link</th><th scope="col">New link</th><th scope="col">Result</th></tr></thead>
<tbody>${[...r.items].sort((a, b) => Number(b.status === 'unmatched') - Number(a.status === 'unmatched')).map((i) => html`<tr class="${i.status === 'unmatched' ? 'loss' : ''}"><td>${i.where}</td><td><code>${i.from}</code></td><td>${i.to ? html`<code>${i.to}</code>` : '—'}</td><td>${i.status === 'unmatched' ? html`<strong>Not re-pointed</strong>` : i.status}</td></tr>`)}</tbody></table></div>`}`;
}

function accessTable(d: AccessDiff): SafeHtml {
  const s = d.summary;
  return html`<p>${s.anyLoss ? html`<strong>${s.bySeverity.loss} ${s.bySeverity.loss === 1 ? 'user lost' : 'users lost'} access</strong>` : 'Nobody lost access'}; ${s.bySeverity.change} changed, ${s.bySeverity.gain} gained, ${s.unchanged} unchanged.</p>
${d.users.length === 0 ? '' : html`<div class="table-wrap" role="region" aria-labelledby="access-h" tabindex="0"><table><thead><tr><th scope="col">User</th><th scope="col">Severity</th><th scope="col">Differences</th></tr></thead>
<tbody>${d.users.slice(0, 500).map((u) => html`<tr class="${u.severity === 'loss' ? 'loss' : ''}"><td class="code">${u.userId}</td><td>${u.severity === 'loss' ? html`<strong>Lost access</strong>` : u.severity}</td><td>${u.differences.map((x) => html`<div>${describe(x)}</div>`)}</td></tr>`)}</tbody></table></div>`}
${d.users.length > 500 ? html`<p>Showing the first 500 of ${d.users.length} users with differences (losses first).</p>` : ''}`;
}

function describe(x: AccessDifference): string {
  const g = (a: { workspace: string; partition: string; role: string }) => `${a.workspace}/${a.partition}: ${a.role}`;
  switch (x.kind) {
    case 'lost': return `Lost ${g(x.grant)}`;
    case 'gained': return `Gained ${g(x.grant)}`;
    case 'partition_reassigned': return `${x.workspace} ${x.role}: partition ${x.from} → ${x.to}`;
    case 'role_changed': return `${x.workspace}/${x.partition}: role ${x.from} → ${x.to}`;
    case 'status_changed': return `Status ${x.from} → ${x.to}`;
    case 'user_missing': return `Missing after the move (had ${x.grants.length} grants)`;
    case 'user_added': return `New after the move (${x.grants.length} grants)`;
  }
}
