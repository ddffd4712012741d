import type { AccessDiff, AccessDifference } from '../../core/access/diff-access.ts';
import type { LinkRewriteView, StoredSupportReport } from '../../app/support-reports.ts';
import type { TicketMigrationReport } from '../../tickets/migrate-tickets.ts';
import { taskView } from '../live-status.ts';
import type { TaskStatus } from '../migration-runs.ts';
import type { ConsoleSession } from '../session.ts';
import { csrfField, emptyState, html, raw, subscriptionPath, type SafeHtml } from './layout.ts';
import { formatInstant, plural, subscriptionStateLabel } from './labels.ts';

export type SupportSection = 'tickets' | 'links' | 'access';

export interface SupportPageInput {
  session: ConsoleSession;
  subscriptionId: string;
  state: string | null;
  timeZone: string;
  /** The product's Rehome API is configured (`product.url`): its data can be read instead of uploaded. */
  productConnected: boolean;
  /** The file name of the configured URL rules (`redirects.rulesFile`), or null: the admin uploads them. */
  rulesFile: string | null;
  /** The newest import (access "before"). */
  imported: { at: string; users: number } | null;
  /** The subscription's Support & links job, running or the last one to end. */
  task: TaskStatus | null;
  tickets: StoredSupportReport<TicketMigrationReport> | undefined;
  links: LinkRewriteView | undefined;
  access: StoredSupportReport<AccessDiff> | undefined;
  /** The dry run "Apply" writes (this console's, not yet applied), and what it reads. */
  dryRun: { id: string; toChange: number; fromFile: string | null } | undefined;
  /** A rewritten links export to download (an applied rewrite of an uploaded export). */
  rewrittenExport: string | undefined;
  /** What was wrong with the file just given, in the section it was given to. */
  problems?: { section: SupportSection; title: string; lines: readonly string[] };
}

const MOVABLE = ['confirmed', 'support_migrated', 'done'];
const SHOWN = 500;

/** Phase 3 and the links: move support tickets, rewrite stored links (dry run, then apply), check access. */
export function renderSupportPage(input: SupportPageInput): SafeHtml {
  return html`
<section class="panel" aria-labelledby="tickets-h">
<h2 id="tickets-h">Support tickets</h2>
<p>Each of the product's support tickets moves to its submitter's IMS account, or to an admin (marked) when the submitter did not migrate. Nothing is dropped: the counts must reconcile. Migration: <strong>${subscriptionStateLabel(input.state)}</strong>.</p>
${problemsOf(input, 'tickets')}${ticketsForm(input)}${progress(input, 'tickets')}
${input.tickets ? ticketsReport(input, input.tickets) : emptyState('No support tickets moved yet', MOVABLE.includes(input.state ?? '') ? 'The migration is confirmed: move the support tickets now.' : 'Support tickets move once the migration is confirmed (Complete Migration), so that every ticket finds its owner\'s IMS account.')}
</section>

<section class="panel" aria-labelledby="links-h">
<h2 id="links-h">Stored links</h2>
<p>After the move the product lives at a new URL. Links stored in the product — report subscriptions, bookmarks, email templates — are re-pointed by the URL rules. A dry run shows what would change; nothing is written until you apply it.</p>
${problemsOf(input, 'links')}${linksForm(input)}${progress(input, 'links')}
${input.links ? linksReport(input, input.links) : emptyState('No link-rewrite report yet', 'Start with a dry run: it lists every link that would change, and first the old links no rule matches.')}
</section>

<section class="panel" aria-labelledby="access-h">
<h2 id="access-h">Access before and after</h2>
<p>Compares every user's roles, workspaces and partitions before the move with after it. Anybody who lost access is listed first.</p>
${problemsOf(input, 'access')}${accessForm(input)}${progress(input, 'access')}
${input.access ? accessReport(input, input.access) : emptyState('No access check yet', 'Check access after the user migration: restore anything lost in the product before you complete the migration.')}
</section>`;
}

const path = (input: SupportPageInput, rest: string) => subscriptionPath(input.subscriptionId, rest);
/** "3 Dec 2026, 11:30 America/Los_Angeles": the subscription's zone, named. */
const when = (input: SupportPageInput, iso: string) => `${formatInstant(iso, input.timeZone)} ${input.timeZone}`;

function problemsOf(input: SupportPageInput, section: SupportSection): SafeHtml | string {
  const p = input.problems;
  if (!p || p.section !== section) return '';
  return html`<div class="flash error" id="${section}-problems"><p><strong>${p.title}</strong></p><ul>${p.lines.map((l) => html`<li><code>${l}</code></li>`)}</ul></div>`;
}

/** The job's bar while it runs, and once it has ended, its last sentence and the way to its result. */
function progress(input: SupportPageInput, section: SupportSection): SafeHtml | string {
  const t = input.task;
  if (!t || t.kind !== section) return '';
  const view = taskView(t);
  const [value, max] = view.bar;
  return html`<div class="meter" data-live-show="${view.key}"${raw(t.active ? '' : ' hidden')}><label for="bar-${section}">${t.inProgress}</label>
<progress id="bar-${section}" data-live-bar="${view.key}" max="${Math.max(1, max)}" value="${value}"></progress>
<p class="meter-text" data-live-text="${view.key}">${view.text}</p></div>
${t.active ? html`<p role="status" data-live-show="task-${t.seq}-ended" hidden><span data-live-text="${view.key}">${view.text}</span> <a href="${path(input, `/support?job=${t.seq}#${section}-h`)}">Show the result</a></p>`
    : t.error ? html`<p class="bad">${view.text}</p>` : ''}`;
}

/** A choice between the product's API and a file, or the file alone when the product is not connected. */
function sourceChoice(name: string, legend: string, product: string | null, file: { field: string; label: string; accept: string; hint: string }): SafeHtml {
  const id = `${file.field}-${name}`;
  const input = html`<div class="field"><label for="${file.field}">${file.label}</label><input type="file" id="${file.field}" name="${file.field}" accept="${file.accept}" aria-describedby="${file.field}-hint"><span class="hint" id="${file.field}-hint">${file.hint}</span></div>`;
  if (product === null) return html`<input type="hidden" name="${name}" value="file">${input}`;
  return html`<fieldset><legend><strong>${legend}</strong></legend>
<div><input type="radio" id="${id}-product" name="${name}" value="product" checked> <label for="${id}-product">${product}</label></div>
<div><input type="radio" id="${id}-file" name="${name}" value="file"> <label for="${id}-file">A file (below)</label></div></fieldset>${input}`;
}

function ticketsForm(input: SupportPageInput): SafeHtml {
  const movable = MOVABLE.includes(input.state ?? '');
  return html`<form method="post" action="${path(input, '/move-tickets')}" enctype="multipart/form-data">${csrfField(input.session)}
${sourceChoice('from', 'Read the tickets from', input.productConnected ? 'The product (its Rehome API)' : null, { field: 'tickets', label: 'Tickets export', accept: '.jsonl,.ndjson,.csv', hint: 'The product\'s tickets export: JSON lines (.jsonl, .ndjson) or CSV.' })}
<div class="actions"><button type="submit"${raw(movable ? '' : ' disabled')} aria-describedby="tickets-hint">${input.tickets ? 'Move support tickets again' : 'Move support tickets'}</button>
<span class="hint" id="tickets-hint">${movable ? 'Safe to repeat: tickets already moved are skipped, and the counts are taken again.' : 'Enabled once the migration is confirmed (Complete Migration).'}</span></div>
</form>`;
}

function ticketsReport(input: SupportPageInput, stored: StoredSupportReport<TicketMigrationReport>): SafeHtml {
  const r = stored.report;
  const c = r.reconciliation;
  const failed = Math.max(0, c.ticketsIn - r.stored.tickets);
  const card = (n: number, label: string, cls = '') => html`<div class="card${cls}"><b>${n.toLocaleString('en-US')}</b><span>${label}</span></div>`;
  return html`<h3>Last run: ${r.reconciled ? html`<span class="ok">the counts reconcile</span>` : html`<span class="bad">the counts do not reconcile</span>`}</h3>
<p>${r.dryRun ? 'Dry run' : 'Moved'} ${when(input, stored.at)}${stored.source ? `, from ${stored.source}` : ''}.</p>
<div class="card-row" id="ticket-counts">${card(c.ticketsIn, 'tickets in')}${card(r.moved, 'moved by this run')}${card(r.alreadyPresent, 'already moved before')}${card(failed, 'failed (not stored)', failed > 0 ? ' loss' : '')}</div>
<dl class="facts"><dt>To the submitter's account</dt><dd>${plural(c.bySubmitter, 'ticket')}</dd>
<dt>To an admin (marked)</dt><dd>${plural(c.byAdminFallback, 'ticket')}${r.fallbackAdmin ? ` (admin ${r.fallbackAdmin.productUserId}), because the submitter did not migrate` : ''}</dd>
<dt>Messages</dt><dd>${c.messagesIn.toLocaleString('en-US')} in, ${r.stored.messages.toLocaleString('en-US')} stored</dd></dl>
${r.reconciled ? '' : html`<p class="bad">The counts do not match: move the tickets again (it resumes where it stopped).</p>`}
${downloads(input, 'tickets-report', 'the moved tickets, one per row')}`;
}

function downloads(input: SupportPageInput, name: string, csv: string): SafeHtml {
  return html`<p class="actions"><a class="button secondary" href="${path(input, `/${name}.csv`)}" download>Download CSV <span class="hint">(${csv})</span></a>
<a class="button secondary" href="${path(input, `/${name}.json`)}" download>Download JSON <span class="hint">(the whole report)</span></a></p>`;
}

function linksForm(input: SupportPageInput): SafeHtml {
  const rules = input.rulesFile
    ? html`<p>URL rules: the redirect service's, <code>${input.rulesFile}</code>.</p>`
    : html`<div class="field"><label for="rules">URL rules</label><input type="file" id="rules" name="rules" accept=".json" aria-describedby="rules-hint"><span class="hint" id="rules-hint">The URL rules (JSON) that map old addresses to the new ones; the redirect service uses the same.</span></div>`;
  return html`<form method="post" action="${path(input, '/rewrite-links')}" enctype="multipart/form-data">${csrfField(input.session)}
${rules}${sourceChoice('from', 'Read the stored links from', input.productConnected ? 'The product (its Rehome API)' : null, { field: 'links', label: 'Links export', accept: '.jsonl,.ndjson', hint: 'The product\'s links export: JSON lines of { kind, id, field, text }.' })}
<div class="actions"><button type="submit">Dry run</button><span class="hint">Reads and plans only: nothing is written.</span></div>
</form>`;
}

function linksReport(input: SupportPageInput, r: LinkRewriteView): SafeHtml {
  const applied = r.applied;
  const summary = r.mode === 'dry_run'
    ? html`<h3>Dry run: ${plural(r.toChange, 'stored link')} would change</h3>`
    : html`<h3>Applied: ${plural(applied?.written ?? 0, 'stored link')} rewritten</h3>`;
  return html`${summary}
<p>${r.generatedAt ? `${r.mode === 'dry_run' ? 'Planned' : 'Written'} ${when(input, r.generatedAt)}: ` : ''}${plural(r.records, 'stored text')} read; ${plural(r.total, 'URL')} found, ${r.rewritten.toLocaleString('en-US')} ${r.mode === 'dry_run' ? 'to rewrite' : 'rewritten'}; ${r.unmatched > 0 ? html`<strong class="bad">${plural(r.unmatched, 'old link')} no rule rewrites (listed first)</strong>` : 'every old link has a rule'}.</p>
${applied && applied.conflict + applied.not_found + applied.failed > 0 ? html`<p class="bad">Not written: ${applied.conflict} changed by someone meanwhile (not overwritten: run a dry run again), ${applied.not_found} gone, ${applied.failed} failed.</p>` : ''}
${applyForm(input, r)}
${r.items.length === 0 ? '' : html`<div class="table-wrap" role="region" aria-labelledby="links-table-caption" tabindex="0"><table><caption id="links-table-caption">Old links${r.items.length > SHOWN ? ` (the first ${SHOWN} of ${r.items.length.toLocaleString('en-US')}; the CSV has all)` : ''}</caption><thead><tr><th scope="col">Where</th><th scope="col">Old link</th><th scope="col">New link</th><th scope="col">Result</th></tr></thead>
<tbody>${r.items.slice(0, SHOWN).map((i) => html`<tr class="${i.status === 'rewritten' ? '' : 'loss'}"><td>${i.kind} ${i.id} <span class="hint">(${i.field})</span></td><td><code>${i.from}</code></td><td>${i.to ? html`<code>${i.to}</code>` : '—'}</td><td>${i.status === 'unmatched' ? html`<strong>No rule matches</strong>` : i.status === 'refused' ? html`<strong>Refused by rule ${i.ruleId ?? ''}</strong> (${i.reason ?? ''})` : r.mode === 'dry_run' ? 'Would be rewritten' : 'Rewritten'}</td></tr>`)}</tbody></table></div>`}
${downloads(input, 'links-report', 'one row per old link')}`;
}

/** "Apply" after the dry run the admin has just read: a box to tick, then the button's own confirmation. */
function applyForm(input: SupportPageInput, r: LinkRewriteView): SafeHtml | string {
  const d = input.dryRun;
  const exported = input.rewrittenExport
    ? html`<form method="post" action="${path(input, '/rewritten-links')}" class="actions">${csrfField(input.session)}<button type="submit" class="secondary">Download the rewritten export</button><span class="hint">${input.rewrittenExport}: the links export with the rewritten texts, for the product to import. Kept until the server restarts.</span></form>`
    : '';
  if (r.mode !== 'dry_run' || !d) return exported;
  if (d.toChange === 0) return html`<p>Nothing to apply: no stored link changes.</p>`;
  const target = d.fromFile ? `into a rewritten copy of ${d.fromFile} for the product to import` : 'to the product';
  return html`<form method="post" action="${path(input, '/apply-links')}" class="actions">${csrfField(input.session)}<input type="hidden" name="dry-run" value="${d.id}">
<label><input type="checkbox" name="confirm" value="yes" required> I have checked the changes below: write the ${plural(d.toChange, 'changed stored link')} ${target}.</label>
<button type="submit" data-confirm="${`Write ${plural(d.toChange, 'changed stored link')} ${target}? Links someone edits meanwhile are not overwritten.`}">Apply the rewrite</button></form>`;
}

const beforeFile = (label: string) => html`<div class="field"><label for="before-file">${label}</label><input type="file" id="before-file" name="before-file" accept=".csv,.jsonl,.ndjson,.json" aria-describedby="before-file-hint"><span class="hint" id="before-file-hint">The product's users export before the move (.csv, .jsonl) or access JSON.</span></div>`;

function accessForm(input: SupportPageInput): SafeHtml {
  const before = input.imported
    ? html`<fieldset><legend><strong>Before</strong></legend>
<div><input type="radio" id="before-stored" name="before" value="stored" checked> <label for="before-stored">The newest import: ${when(input, input.imported.at)}, ${plural(input.imported.users, 'user')}</label></div>
<div><input type="radio" id="before-upload" name="before" value="file"> <label for="before-upload">A file (below)</label></div></fieldset>
${beforeFile('Access before (file)')}`
    : html`<input type="hidden" name="before" value="file">${beforeFile('Access before')}`;
  return html`<form method="post" action="${path(input, '/check-access')}" enctype="multipart/form-data">${csrfField(input.session)}
${before}
${sourceChoice('after', 'After', input.productConnected ? 'The product now (its Rehome API)' : null, { field: 'after-file', label: 'Access after (file)', accept: '.csv,.jsonl,.ndjson,.json', hint: 'The product\'s users export after the move (.csv, .jsonl) or access JSON.' })}
<div class="actions"><button type="submit">Check access</button></div>
</form>`;
}

function accessReport(input: SupportPageInput, stored: StoredSupportReport<AccessDiff>): SafeHtml {
  const d = stored.report;
  const s = d.summary;
  return html`<h3>${s.anyLoss ? html`<span class="bad">${plural(s.bySeverity.loss, 'user')} lost access</span>` : html`<span class="ok">Nobody lost access</span>`}</h3>
<p>Checked ${when(input, stored.at)}: ${s.usersBefore.toLocaleString('en-US')} users before, ${s.usersAfter.toLocaleString('en-US')} after; ${s.bySeverity.change} changed, ${s.bySeverity.gain} gained, ${s.unchanged.toLocaleString('en-US')} unchanged.</p>
${d.users.length === 0 ? '' : html`<div class="table-wrap" role="region" aria-labelledby="access-table-caption" tabindex="0"><table><caption id="access-table-caption">Users whose access differs, losses first${d.users.length > SHOWN ? ` (the first ${SHOWN} of ${d.users.length.toLocaleString('en-US')}; the CSV has all)` : ''}</caption><thead><tr><th scope="col">User</th><th scope="col">Severity</th><th scope="col">Differences</th></tr></thead>
<tbody>${d.users.slice(0, SHOWN).map((u) => html`<tr class="${u.severity === 'loss' ? 'loss' : ''}"><td class="code">${u.userId}${u.email ? html` <span class="hint">${u.email}</span>` : ''}</td><td>${u.severity === 'loss' ? html`<strong>Lost access</strong>` : u.severity === 'change' ? 'Changed' : 'Gained'}</td><td>${u.differences.map((x) => html`<div>${describe(x)}</div>`)}</td></tr>`)}</tbody></table></div>`}
${downloads(input, 'access-report', 'one row per difference')}`;
}

export function describe(x: AccessDifference): string {
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
