import type { ScheduleRules } from '../../core/migration/schedule.ts';
import { verifiedPercent, type LiveStatus, type LiveView } from '../live-status.ts';
import type { MigrationRow } from '../subscription-data.ts';
import type { ConsoleSession } from '../session.ts';
import { csrfField, emptyState, html, raw, subscriptionPath, type SafeHtml } from './layout.ts';
import { formatMoment, plural, startVerb, userStateLabel } from './labels.ts';
import { failureLabel } from '../../core/glossary/failure-words.ts';

export interface StatusPageInput {
  session: ConsoleSession;
  subscriptionId: string;
  migration: MigrationRow | undefined;
  timeZone: string;
  live: LiveStatus;
  view: LiveView;
  errors: { code: string; count: number; example: string }[];
  rules: ScheduleRules;
  /** The request's time (ISO): whether the user-migration date is still ahead. */
  now?: string;
}

const COUNTED_STATES = ['migrated', 'activated', 'migrating', 'eligible', 'failed', 'needs_email_verification', 'blocked', 'skipped', 'stays_local', 'not_migrated'] as const;

/** The Migration Status tab (reference §1.3): window and Extend, two progress bars, the three sections. */
export function renderStatusPage(input: StatusPageInput): SafeHtml {
  const { live, view, migration: m } = input;
  const path = (rest: string) => subscriptionPath(input.subscriptionId, rest);
  if (!m) {
    return emptyState('The user migration is not planned yet', html`Start on the <a href="${path('')}">Overview</a>: check readiness, link the product and pick the user-migration date.`);
  }
  const exhausted = m.extensions >= input.rules.maxExtensions;
  const canExtend = Boolean(m.starts_at) && !exhausted && !['confirmed', 'support_migrated', 'done', 'rolled_back'].includes(m.state);
  const unverified = live.byState.needs_email_verification ?? 0;
  const failed = live.byState.failed ?? 0;
  const eligible = live.byState.eligible ?? 0;
  const p = live.progress;
  // After the confirmation nothing here can be done any more: the buttons go rather than stay greyed out.
  const confirmed = ['confirmed', 'support_migrated', 'done'].includes(m.state);
  const bar = (key: 'verification' | 'migration', label: string) => {
    const [value, max] = view.bars[key]!;
    return html`<div class="meter"><label for="bar-${key}">${label}</label>
<progress id="bar-${key}" data-live-bar="${key}" max="${Math.max(1, max)}" value="${value}">${key === 'verification' ? verifiedPercent(p) : p.migration.percent}%</progress>
<p class="meter-text" data-live-text="${key}">${view.text[key]}</p></div>`;
  };
  return html`
<section class="panel" aria-labelledby="window-h">
<h2 id="window-h">Migration window</h2>
<dl class="facts">
<dt>Status</dt><dd data-live-text="state">${view.text.state}</dd>
<dt>${startTerm(m.starts_at, m.state, input.now)}</dt><dd id="starts">${m.starts_at ? formatMoment(m.starts_at, input.timeZone) : 'No date set yet'}</dd>
<dt>Migration expires</dt><dd id="expires">${formatMoment(m.window_expires_at, input.timeZone)}</dd>
<dt>Extensions used</dt><dd>${m.extensions} of ${input.rules.maxExtensions}</dd>
</dl>
${confirmed ? '' : html`<form method="post" action="${path('/extend')}" class="actions">${csrfField(input.session)}
<button type="submit" class="secondary"${raw(canExtend ? '' : ' disabled')} aria-describedby="extend-hint">Extend expiration by ${input.rules.extensionDays} days</button>
<span class="hint" id="extend-hint">${exhausted ? `The window was extended the most times allowed (${input.rules.maxExtensions}).` : !m.starts_at ? 'Set the user-migration date first.' : `After expiry you can still migrate users on demand; scheduled migrations stop. At most ${input.rules.maxExtensions} extensions.`}</span>
</form>`}
</section>

<p class="run" data-live-text="run" aria-live="polite" aria-atomic="true">${view.text.run}</p>

<section class="panel" aria-labelledby="progress-h">
<h2 id="progress-h">Progress</h2>
${bar('verification', 'User email verification')}
${bar('migration', 'User migration')}
</section>

<section class="panel" aria-labelledby="verify-h">
<h2 id="verify-h">User Email Verification</h2>
<p>${verifiedPercent(p)}% of the users who must move have verified their email address${p.skipped > 0 ? ` (${p.skipped} skipped)` : ''}. Users who do not verify cannot be migrated and lose access once the migration completes, unless you skip them on purpose.</p>
<ul>
<li><a href="${path('/users?state=needs_email_verification')}"><span data-live-text="count-needs_email_verification">${unverified}</span> not verified</a></li>
<li><a href="${path('/users?state=skipped')}"><span data-live-text="skipped">${p.skipped}</span> marked skipped</a></li>
</ul>
${confirmed || unverified === 0 ? '' : html`<form method="post" action="${path('/verify-all')}" class="actions">${csrfField(input.session)}
<button type="submit" class="secondary">Resend verification to all ${plural(unverified, 'unverified user')}</button>
</form>`}
</section>

<section class="panel" aria-labelledby="migrate-h">
<h2 id="migrate-h">User Migration and Activation</h2>
<p>Each migrated user gets an IMS account and the product entitlement; they become active at their first IMS sign-in.</p>
<div class="card-row">${COUNTED_STATES.map((s) => html`<div class="card"><b data-live-text="count-${s}">${live.byState[s] ?? 0}</b><span>${userStateLabel(s)}</span></div>`)}</div>
${confirmed ? '' : html`<div class="actions">
<form method="post" action="${path('/migrate-all')}">${csrfField(input.session)}
<button type="submit" data-confirm="Migrate every eligible, email-verified user now? Admins go first."${raw(eligible > 0 ? '' : ' disabled')}>Migrate all eligible users</button></form>
<a class="button secondary" href="${path('/users')}">Choose users to migrate or skip</a>
</div>`}
${input.errors.length > 0 ? html`<h3 id="failures-h">Failures by cause</h3>
<div class="table-wrap" role="region" aria-labelledby="failures-h" tabindex="0"><table><thead><tr><th scope="col">Cause</th><th scope="col">Users</th><th scope="col">Example</th></tr></thead>
<tbody>${input.errors.map((e) => html`<tr><td data-code="${e.code}">${failureLabel(e.code)} <code>${e.code}</code></td><td>${e.count}</td><td>${e.example}</td></tr>`)}</tbody></table></div>
<form method="post" action="${path('/users/action')}" class="actions">${csrfField(input.session)}<input type="hidden" name="action" value="retry-failed">
<button type="submit" class="secondary">Retry all ${plural(failed, 'failed user')}</button> <a href="${path('/users?state=failed')}">See failed users</a></form>` : ''}
</section>

<section class="panel" aria-labelledby="confirm-h">
<h2 id="confirm-h">Migration Confirmation</h2>
${m.state === 'confirmed' || m.state === 'support_migrated' || m.state === 'done'
    ? html`<p>The migration was confirmed on ${formatMoment(m.confirmed_at, input.timeZone)}. Everyone signs in with the IMS now; support tickets follow (Support &amp; links tab).</p>`
    : html`<p data-live-text="open">${view.text.open}</p>
<div data-live-show="canConfirm"${raw(live.canConfirm ? '' : ' hidden')}><p>Every user is migrated or skipped. Completing the migration ends it: skipped users lose access to the product.</p>
<a class="button" href="${path('/confirm')}">Complete Migration</a></div>
<p data-live-show="cannotConfirm" class="hint"${raw(live.canConfirm ? ' hidden' : '')}>Complete Migration appears when every user is migrated or skipped.</p>`}
</section>`;
}

function startTerm(startsAt: string | null, state: string, now: string | undefined): string {
  const verb = startsAt ? startVerb(startsAt, state, now) : null;
  return verb ? `User migration ${verb}` : 'User-migration date';
}
