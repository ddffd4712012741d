import { REASONS } from '../../core/readiness/reasons.ts';
import { failureLabel } from '../../core/glossary/failure-words.ts';
import type { ReasonCode } from '../../core/readiness/report.ts';
import { USER_STATES } from '../../core/migration/states.ts';
import type { ConsoleSession } from '../session.ts';
import { FIRST_PAGE, SEARCH_LIMIT, userTableHref, type UserRow, type UserSort, type UserTablePage, type UserTableQuery } from '../user-table.ts';
import { csrfField, emptyState, html, raw, subscriptionPath, type SafeHtml } from './layout.ts';
import { fullName, personLabel } from '../../core/glossary/people.ts';
import { formatInstant, userStateLabel, verificationLabel } from './labels.ts';
import { adminsFirstSentence } from '../../core/glossary/admin-words.ts';
import type { WaitingAdmins } from '../admins-waiting.ts';

export interface UsersPageInput {
  session: ConsoleSession;
  subscriptionId: string;
  timeZone: string;
  query: UserTableQuery;
  page: UserTablePage;
  eligible: number;
  planned: boolean;
  /** The admins the others wait for (none: nobody waits). */
  admins?: WaitingAdmins;
}

/** The reason filter, in the order of its labels. */
const REASON_CODES = (Object.keys(REASONS) as ReasonCode[]).sort((a, b) => REASONS[a].label.localeCompare(REASONS[b].label, 'en'));

const COLUMNS: { sort: UserSort; label: string }[] = [
  { sort: 'user', label: 'User' }, { sort: 'email', label: 'Email' }, { sort: 'status', label: 'Migration status' }, { sort: 'activity', label: 'Last activity' },
];

/** The User Migration tab: server-side search, filter, sort and paging; actions on the selected users. */
export function renderUsersPage(input: UsersPageInput): SafeHtml {
  const base = subscriptionPath(input.subscriptionId, '/users');
  const { query, page } = input;
  if (!input.planned) return emptyState('No users to migrate yet', html`The user migration is not planned yet. Start on the <a href="${subscriptionPath(input.subscriptionId)}">Overview</a>.`);
  // Keyset pages know their neighbours, not their offset: the figures come from the page label carried in the links.
  const first = page.total === 0 ? 0 : page.page === page.pages ? Math.max(1, page.total - page.rows.length + 1) : (page.page - 1) * query.pageSize + 1;
  const last = Math.min(page.total, first + page.rows.length - 1);
  const filteredBy = Boolean(query.q || query.state || query.reason || query.admin);
  const header = (c: { sort: UserSort; label: string }) => {
    const active = query.sort === c.sort;
    const nextDir = active && query.dir === 'asc' ? 'desc' : 'asc';
    return html`<th scope="col"${raw(active ? ` aria-sort="${query.dir === 'asc' ? 'ascending' : 'descending'}"` : '')}><a href="${userTableHref(base, query, { ...FIRST_PAGE, sort: c.sort, dir: nextDir })}">${c.label}${active ? (query.dir === 'asc' ? ' ▲' : ' ▼') : ''}<span class="visually-hidden">, sort ${nextDir === 'asc' ? 'ascending' : 'descending'}</span></a></th>`;
  };
  return html`
<p>Migrate the users who should move, skip the ones who should not; every user must be migrated or skipped before you can complete the migration. Admins are migrated first.</p>
<form method="get" action="${base}" class="filters" role="search" aria-label="Filter users">
<div class="field"><label for="q">Search</label><input type="search" id="q" name="q" value="${query.q}" placeholder="id, email or name"></div>
<div class="field"><label for="state">Migration status</label><select id="state" name="state"><option value="">All statuses</option>${USER_STATES.map((s) => html`<option value="${s}"${raw(query.state === s ? ' selected' : '')}>${userStateLabel(s)}</option>`)}</select></div>
<div class="field"><label for="reason-filter">Reason</label><select id="reason-filter" name="reason"><option value="">Any reason</option>${REASON_CODES.map((c) => html`<option value="${c}"${raw(query.reason === c ? ' selected' : '')}>${REASONS[c].label}</option>`)}</select></div>
<div class="field"><label><input type="checkbox" name="admin" value="1"${raw(query.admin ? ' checked' : '')}> Admins only</label></div>
${query.sort !== 'user' ? html`<input type="hidden" name="sort" value="${query.sort}">` : ''}${query.dir !== 'asc' ? html`<input type="hidden" name="dir" value="${query.dir}">` : ''}
<button type="submit">Apply</button>${filteredBy ? html` <a href="${base}">Clear filters</a>` : ''}
</form>

${input.admins && input.admins.count > 0 ? adminsFirstPanel(input, input.admins) : ''}
<form method="post" action="${subscriptionPath(input.subscriptionId, '/migrate-all')}" class="actions">${csrfField(input.session)}
<button type="submit" data-confirm="Migrate every eligible, email-verified user now? Admins go first."${raw(input.eligible > 0 ? '' : ' disabled')}>Migrate All Users (${input.eligible} eligible)</button>
</form>

<form method="post" action="${subscriptionPath(input.subscriptionId, '/users/action')}" id="user-actions">${csrfField(input.session)}
<input type="hidden" name="return" value="${userTableHref(base, query, {})}">
<fieldset class="actions"><legend class="visually-hidden">Act on the selected users</legend>
<button type="submit" name="action" value="migrate" data-confirm="Migrate the selected users now?" data-confirm-one="Migrate the selected user now?" data-confirm-selected="Migrate the {n} selected users now?">Migrate Now</button>
<button type="submit" name="action" value="verify" class="secondary">Verify Email</button>
<button type="submit" name="action" value="unskip" class="secondary">Unskip Migration</button>
<button type="submit" name="action" value="retry" class="secondary">Retry</button>
<span class="field"><label for="reason">Reason for skipping <span class="hint">(required to skip)</span></label><input type="text" id="reason" name="reason" maxlength="200"></span>
<button type="submit" name="action" value="skip" class="danger">Skip Migration</button>
</fieldset>
<p id="table-summary">${page.total === 0 ? 'No users match.' : page.search ? (page.search.more ? `Showing the first ${SEARCH_LIMIT} matches: refine the search to find others.` : `${page.total} ${page.total === 1 ? 'match' : 'matches'}.`) : showing(first, last, page.total)} Only eligible, email-verified users can be migrated; skipped users lose access once the migration completes. Times are in ${input.timeZone}.</p>
${page.total === 0 ? emptyState('No users match', filteredBy ? html`Try another search or <a href="${base}">clear the filters</a>.` : 'This subscription has no users in the plan.') : html`
<div class="table-wrap" role="region" aria-labelledby="users-caption" tabindex="0">
<table class="users-table"><caption id="users-caption">${page.search ? (page.search.more ? `Users, the first ${SEARCH_LIMIT} matches` : 'Users matching the search') : `Users, page ${page.page} of ${page.pages}`}</caption>
<thead><tr><th scope="col"><span class="visually-hidden">Select</span><label hidden><input type="checkbox" data-select-all hidden> <span class="visually-hidden">all on this page</span></label></th>${COLUMNS.slice(0, 2).map(header)}<th scope="col">Verification</th>${header(COLUMNS[2]!)}<th scope="col">Reason</th>${header(COLUMNS[3]!)}</tr></thead>
<tbody>${page.rows.map((r) => userRow(r, input))}</tbody></table></div>`}
</form>
${page.search ? '' : html`<nav class="pager" aria-label="Pages">
${page.prev ? html`<a href="${userTableHref(base, query, FIRST_PAGE)}">First page</a> <a href="${userTableHref(base, query, { ...FIRST_PAGE, before: page.prev, page: Math.max(1, page.page - 1) })}" rel="prev">Previous page</a>` : ''}
<span>Page ${page.page} of ${page.pages}</span>
${page.next ? html`<a href="${userTableHref(base, query, { ...FIRST_PAGE, after: page.next, page: Math.min(page.pages, page.page + 1) })}" rel="next">Next page</a> <a href="${userTableHref(base, query, { ...FIRST_PAGE, last: true, page: page.pages })}">Last page</a>` : ''}
</nav>`}
<p>When every user is migrated or skipped, complete the migration on the <a href="${subscriptionPath(input.subscriptionId, '/status')}">Migration Status</a> tab.</p>`;
}

function userRow(r: UserRow, input: UsersPageInput): SafeHtml {
  const reasons = input.page.reasons.get(r.user_id) ?? [];
  return html`<tr>
<td><input type="checkbox" name="user" value="${r.user_id}" id="u-${r.user_id}" aria-label="Select user ${r.user_id}"></td>
<td data-label="User">${personLabel(r.user_id, fullName(r.first_name, r.last_name))}${r.admin ? html` <span class="tag">admin</span>` : ''}</td>
<td data-label="Email">${r.email}</td>
<td data-label="Verification">${verificationLabel(r.state, reasons)}</td>
<td data-label="Migration status" class="st st-${r.state}">${userStateLabel(r.state)}</td>
<td data-label="Reason">${reasonCell(r, reasons)}</td>
<td data-label="Last activity">${formatInstant(r.updated_at, input.timeZone)}</td>
</tr>`;
}

function reasonCell(r: UserRow, reasons: string[]): SafeHtml | string {
  // A plan_drift carries its own fix (a new plan); a Retry alone would drift again.
  if (r.state === 'failed') return html`<div class="reason" data-code="${r.error_code ?? 'failed'}"><strong>${failureLabel(r.error_code)}</strong> <code>${r.error_code ?? 'failed'}</code> ${r.error_message ?? ''}${r.error_code === 'plan_drift' ? '' : html`<small>Fix the cause, then Retry (or skip the user).</small>`}</div>`;
  if (r.state === 'skipped') return html`<div class="reason">${r.skip_reason?.trim() ? `Skipped: ${r.skip_reason}` : 'Skipped'}</div>`;
  if (r.state !== 'blocked' && r.state !== 'needs_email_verification') return '';
  return html`${reasons.filter((c): c is ReasonCode => Object.hasOwn(REASONS, c) && REASONS[c as ReasonCode].severity === 'block').map((c) => html`<div class="reason" data-code="${c}">${REASONS[c].label}<small>${REASONS[c].fix}</small></div>`)}`;
}

/** Admins first: who the others wait for, "Migrate the admins now", and the skip (asked twice) for those who cannot move. */
function adminsFirstPanel(input: UsersPageInput, admins: WaitingAdmins): SafeHtml {
  const action = subscriptionPath(input.subscriptionId, '/users/action');
  const back = userTableHref(subscriptionPath(input.subscriptionId, '/users'), input.query, {});
  return html`<section class="panel" id="admins-first" aria-labelledby="admins-first-h">
<h2 id="admins-first-h">Waiting for the admins</h2>
<p>${adminsFirstSentence(admins.names, admins.count)} Someone must be able to manage the subscription in the IMS before its users arrive there.</p>
${admins.movable.length > 0 ? html`<form method="post" action="${action}" class="actions">${csrfField(input.session)}
<input type="hidden" name="return" value="${back}">
<p>Ready to migrate: ${admins.movableNames}.</p>
<button type="submit" name="action" value="migrate-admins">Migrate the admins now</button>
</form>` : ''}
${admins.stuck.length > 0 ? html`<form method="post" action="${action}" class="actions">${csrfField(input.session)}
<input type="hidden" name="return" value="${back}">${admins.stuck.map((id) => html`<input type="hidden" name="user" value="${id}">`)}
<p>Cannot migrate now (not verified or blocked): ${admins.stuckNames}. Resolve that, or skip them: skipping an admin asks a second time.</p>
<span class="field"><label for="admin-skip-reason">Reason for skipping</label><input type="text" id="admin-skip-reason" name="reason" maxlength="200" required></span>
<button type="submit" name="action" value="skip" class="danger">Skip these admins…</button>
</form>` : ''}
</section>`;
}

/** "Showing 51–100 of 300 users."; one page says it plainly ("Showing all 3 users.", "Showing the only user."). */
function showing(first: number, last: number, total: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (first === 1 && last === total) return total === 1 ? 'Showing the only user.' : `Showing all ${n(total)} users.`;
  return `Showing ${n(first)}–${n(last)} of ${n(total)} users.`;
}
