import type { MigrationPlan } from '../../core/migration/plan.ts';
import type { ReadinessSummary } from '../../core/readiness/report.ts';
import type { ConsoleSession } from '../session.ts';
import type { MigrationRow } from '../subscription-data.ts';
import { csrfField, html, raw, subscriptionPath, type SafeHtml } from './layout.ts';
import { subscriptionStateWords } from '../../core/glossary/glossary.ts';
import { listPeople } from '../../core/glossary/people.ts';
import { formatDate, formatMoment, startVerb } from './labels.ts';
import { statusLabel } from './readiness-page.ts';

export interface DatePicker {
  earliest: string;
  latest: string;
  /** Why the date cannot be changed now, or null when it can. */
  disabledBecause: string | null;
}

export interface OverviewInput {
  session: ConsoleSession;
  subscriptionId: string;
  timeZone: string;
  migration: MigrationRow | undefined;
  plan: MigrationPlan | undefined;
  readiness: ReadinessSummary | undefined;
  picker: DatePicker;
  /** Before a plan exists: whether the IMS organization already exists (linking then needs the admin's consent). */
  orgExists: boolean;
  rules: { minDaysAhead: number; maxDaysAhead: number; lockHoursBefore: number };
  /** The request's time (ISO): whether the user-migration date is still ahead. */
  now?: string;
  /** A date the server just refused: shown again in the field, with why beside it. */
  refusedDate?: { value: string; message: string };
}

const PHASES: { label: string; reached: (state: string | null) => boolean }[] = [
  { label: 'Product linked to the IMS organization', reached: (s) => s !== null && s !== 'not_started' && s !== 'rolled_back' },
  { label: 'User-migration date scheduled', reached: (s) => s !== null && !['not_started', 'product_linked', 'rolled_back'].includes(s) },
  { label: 'Users migrating (admins first)', reached: (s) => s !== null && ['users_in_progress', 'awaiting_confirmation', 'expired', 'confirmed', 'support_migrated', 'done'].includes(s) },
  { label: 'Every user migrated or skipped', reached: (s) => s !== null && ['awaiting_confirmation', 'confirmed', 'support_migrated', 'done'].includes(s) },
  { label: 'Migration confirmed', reached: (s) => s !== null && ['confirmed', 'support_migrated', 'done'].includes(s) },
  { label: 'Support tickets moved', reached: (s) => s === 'support_migrated' || s === 'done' },
];

/** Where the subscription stands, its readiness at a glance, and the user-migration date picker. */
export function renderOverviewPage(input: OverviewInput): SafeHtml {
  const m = input.migration;
  const state = m?.state ?? null;
  const path = (rest: string) => subscriptionPath(input.subscriptionId, rest);
  const r = input.readiness;
  const blocking = (input.plan?.prerequisites ?? []).filter((p) => p.blocking && !(p.code === 'consent_required' && m?.consent_at));
  const where = subscriptionStateWords(state);
  return html`
<section class="panel" aria-labelledby="where-h">
<h2 id="where-h">Where you stand</h2>
<p><strong>${where.label}.</strong> ${where.sentence}</p>
<ol class="steps">${PHASES.map((p) => html`<li class="${p.reached(state) ? 'done' : ''}">${p.reached(state) ? html`<span aria-hidden="true">✔ </span><span class="visually-hidden">Done: </span>` : html`<span class="visually-hidden">Not yet: </span>`}${p.label}</li>`)}</ol>
${m?.starts_at ? startText(m.starts_at, m.state, m.window_expires_at, input) : ''}
</section>

${!m ? linkPanel(input) : ''}

<section class="panel" aria-labelledby="date-h">
<h2 id="date-h">User-migration start date</h2>
<p>Pick a day ${input.rules.minDaysAhead} to ${input.rules.maxDaysAhead} days ahead. The user migration starts at midnight in the subscription's time zone (${input.timeZone}); admins are migrated first. You can change the date until ${input.rules.lockHoursBefore} hours before it starts.</p>
${blocking.length > 0 ? html`<div class="flash error" role="note"><p><strong>Before you can schedule:</strong></p><ul>${blocking.map((b) => html`<li>${b.message}</li>`)}</ul></div>` : ''}
<form method="post" action="${path('/schedule')}" class="actions">${csrfField(input.session)}
<div class="field"><label for="date">Start date</label>
<span class="hint" id="date-hint">${input.picker.disabledBecause ?? `Between ${formatDate(input.picker.earliest, input.timeZone)} and ${formatDate(input.picker.latest, input.timeZone)}.`}</span>
${input.refusedDate ? html`<span class="field-error" id="date-error">${input.refusedDate.message}</span>` : ''}
<input type="date" id="date" name="date" min="${input.picker.earliest}" max="${input.picker.latest}" value="${input.refusedDate?.value ?? m?.migration_date ?? ''}" required aria-describedby="date-hint${input.refusedDate ? ' date-error' : ''}"${raw(input.refusedDate ? ' aria-invalid="true"' : '')}${raw(input.picker.disabledBecause ? ' disabled' : '')}></div>
<button type="submit"${raw(input.picker.disabledBecause ? ' disabled' : '')}>${m?.migration_date ? 'Change date' : 'Save date'}</button>
</form>
</section>

<section class="panel" aria-labelledby="ready-h">
<h2 id="ready-h">Readiness</h2>
${r ? html`<div class="card-row">${(Object.entries(r.byStatus) as [string, number][]).map(([k, n]) => html`<div class="card"><b>${n}</b><span>${statusLabel(k)}</span></div>`)}</div>
<p>${r.adminsReady ? `All ${r.admins} admins are ready to migrate first.` : `${r.adminsNotReady.length} of ${r.admins} admins ${r.adminsNotReady.length === 1 ? 'is' : 'are'} not ready yet: ${listPeople(r.adminsNotReady, r.adminNames, 5)}. Admins migrate first.`} <a href="${path('/readiness')}">See the full readiness report with every reason and its fix</a>.</p>`
    : html`<p>No import of this subscription yet.</p>`}
</section>`;
}

function startText(startsAt: string, state: string, windowEnds: string | null, input: OverviewInput): SafeHtml {
  const verb = startVerb(startsAt, state, input.now);
  const ends = windowEnds ? `; the self-service window ends ${formatMoment(windowEnds, input.timeZone)}` : '';
  return html`<p>${verb ? `User migration ${verb} ${formatMoment(startsAt, input.timeZone)}` : `User-migration date: ${formatMoment(startsAt, input.timeZone)}`}${ends}.</p>`;
}

function linkPanel(input: OverviewInput): SafeHtml {
  return html`<section class="panel" aria-labelledby="link-h">
<h2 id="link-h">Link the product to the IMS</h2>
<p>The first phase plans every user from the newest import and links this subscription to its IMS organization with a product profile. Nobody's sign-in changes yet.</p>
<form method="post" action="${subscriptionPath(input.subscriptionId, '/link')}">${csrfField(input.session)}
${input.orgExists ? html`<p>The IMS organization already exists: moving this subscription into it needs your consent.</p>
<p><input type="checkbox" id="consent" name="consent" value="yes" required> <label for="consent">I consent to migrating this subscription into the existing IMS organization</label></p>` : ''}
<button type="submit">Plan and link the product</button>
</form></section>`;
}
