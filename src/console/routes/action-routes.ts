import type { ServerResponse } from 'node:http';
import { AppError } from '../../app/app-error.ts';
import { changeUsers, confirmMigration, extendWindow, linkProduct, scheduleUserMigration, sendVerification as sendVerificationMail, type UserChange } from '../../app/actions/index.ts';
import { MigrationError } from '../../engine/migration-error.ts';
import { migrationDb } from '../../engine/migration-repo.ts';
import type { ConsoleContext, SubscriptionRequest } from '../console-context.ts';
import { safeConsolePath, seeOther, sendPage } from '../console-http.ts';
import { layout, subscriptionPath, type SafeHtml, type Tab } from '../pages/layout.ts';
import { createApiClient, revokeApiClient } from './api-client-routes.ts';
import { formatMoment, plural } from '../pages/labels.ts';
import { formatDay } from '../../core/glossary/dates.ts';
import type { Flash } from '../session.ts';
import { checkMigrationDate } from '../../core/migration/schedule.ts';
import type { UserState } from '../../core/migration/states.ts';
import { subscriptionStateWords } from '../../core/glossary/glossary.ts';
import { fullName, personLabel } from '../../core/glossary/people.ts';
import { refusalSentence, userChangeRefusal, type UserChange as Change } from '../../core/glossary/refusal-words.ts';
import { ADMINS_FIRST_WAYS, adminsCannotMoveSentence, adminsFirstSentence, adminsHeldSentence } from '../../core/glossary/admin-words.ts';
import { loadWaitingAdmins } from '../admins-waiting.ts';
import { renderAdminSkipPage } from '../pages/admin-skip-page.ts';

/** A flash may carry the stable code of the refusal it reports: the page keeps it (data-code) for support. */
type CodedFlash = Flash & { code?: string };
/** Where to go after the POST, or (`page`) a page to answer with at once: a new client's secret is never stored to be shown later. */
type Outcome = { flash: CodedFlash; to?: string; page?: { title: string; tab: Tab; body: SafeHtml } };
type Action = (ctx: ConsoleContext, r: SubscriptionRequest, form: URLSearchParams) => Promise<Outcome>;

const notice = (text: string, to?: string): Outcome => ({ flash: { kind: 'notice', text }, ...(to ? { to } : {}) });
const refusal = (text: string, to?: string, code?: string): Outcome => ({ flash: { kind: 'error', text, ...(code ? { code } : {}) }, ...(to ? { to } : {}) });
/** One application call per button: the same function `rehome skip|unskip|retry` runs. */
const change = (ctx: ConsoleContext, r: SubscriptionRequest, action: UserChange, userIds: string[], reason?: string, confirmAdmins = false) =>
  changeUsers(ctx.app, { subscriptionId: r.subscriptionId, actor: r.session.actor, action, userIds, confirmAdmins, ...(reason ? { reason } : {}) });
const MAX_LISTED = 10;

function listed(ids: string[]): string {
  return ids.length <= MAX_LISTED ? ids.join(', ') : `${ids.slice(0, MAX_LISTED).join(', ')} and ${ids.length - MAX_LISTED} more`;
}

interface Person { label: string; state: UserState | undefined }

/** The users a refusal names, as people ("Ann Smith (1001)") with the state that explains the refusal. */
async function peopleOf(ctx: ConsoleContext, subscriptionId: string, ids: string[]): Promise<Map<string, Person>> {
  const rows = ids.length === 0 ? [] : await migrationDb(ctx.store.kysely).selectFrom('mig_users').select(['user_id', 'first_name', 'last_name', 'state'])
    .where('subscription_id', '=', subscriptionId).where('user_id', 'in', ids.slice(0, 1000)).execute();
  const people = new Map<string, Person>(rows.map((r) => [r.user_id, { label: personLabel(r.user_id, fullName(r.first_name, r.last_name)), state: r.state as UserState }]));
  for (const id of ids) if (!people.has(id)) people.set(id, { label: id, state: undefined });
  return people;
}

function listedPeople(ids: string[], people: Map<string, Person>): string {
  return listed(ids.map((id) => people.get(id)?.label ?? id));
}

/** At most this many refusals are spelt out one by one; the rest are counted. */
const MAX_EXPLAINED = 3;

/** A refused user as the application reports it (the code came later: read it when it is there). */
type Refused = { userId: string; message: string; code?: string };

/** Why each refused user was refused, in the glossary's words, naming the person. */
async function explainRefusals(ctx: ConsoleContext, subscriptionId: string, action: Change, refused: Refused[]): Promise<string> {
  const shown = refused.slice(0, MAX_EXPLAINED);
  const people = await peopleOf(ctx, subscriptionId, shown.map((x) => x.userId));
  const lines = shown.map((x) => userChangeRefusal(action, people.get(x.userId)?.state, people.get(x.userId)?.label ?? x.userId, x.code));
  const more = refused.length - lines.length;
  return more > 0 ? `${lines.join(' ')} ${plural(more, 'more user was', 'more users were')} refused too.` : lines.join(' ');
}

/** Without parsing the plan (hundreds of MB at a million users): subscription-data.ts knows the zone otherwise. */
async function timeZone(ctx: ConsoleContext, id: string): Promise<string> {
  return ctx.data.timeZone(id, await ctx.data.migration(id));
}

/** Phase 1 from the console: plan from the newest import and link the product (consent when the org exists). */
const link: Action = async (ctx, r, form) => {
  if (!(await ctx.store.loadSnapshot({ subscriptionId: r.subscriptionId }))) return refusal('Nothing imported for this subscription yet: import its users first.');
  const m = await linkProduct(ctx.app, { subscriptionId: r.subscriptionId, actor: r.session.actor, consent: form.get('consent') === 'yes' });
  return notice(`The product is linked to the IMS organization (${m.org_id}). Next: pick the user-migration date.`);
};

const schedule: Action = async (ctx, r, form) => {
  const date = (form.get('date') ?? '').trim();
  if (!date) return refusal('Choose a start date first.');
  let m;
  try {
    m = await scheduleUserMigration(ctx.app, { subscriptionId: r.subscriptionId, date, actor: r.session.actor });
  } catch (error) {
    if (error instanceof MigrationError && error.code === 'schedule_invalid') {
      // The refused day stays in the field, with why beside it: the admin corrects it rather than starting over.
      const text = await scheduleRefusal(ctx, r.subscriptionId, date);
      const out = refusal(text, undefined, error.code);
      return { ...out, flash: { ...out.flash, field: { name: 'date', value: date, message: text } } };
    }
    throw error;
  }
  return notice(`The user migration starts ${formatMoment(m.starts_at, await timeZone(ctx, r.subscriptionId))} (midnight in the subscription's time zone).`);
};

/** Which rule the date broke, asked of the same pure check the engine runs, in the glossary's words. */
async function scheduleRefusal(ctx: ConsoleContext, subscriptionId: string, date: string): Promise<string> {
  const m = await ctx.data.migration(subscriptionId);
  const tz = await timeZone(ctx, subscriptionId);
  const check = checkMigrationDate({ date, now: ctx.now(), timeZone: tz, current: m?.migration_date ?? null, rules: ctx.rules });
  if (check.ok) return refusalSentence('schedule_invalid');
  if (check.code === 'date_out_of_range' && check.earliest && check.latest) {
    return refusalSentence('date_out_of_range', `${ctx.rules.minDaysAhead} to ${ctx.rules.maxDaysAhead} days ahead: between ${formatDate(check.earliest)} and ${formatDate(check.latest)} (${tz})`);
  }
  if (check.code === 'schedule_locked') return refusalSentence('schedule_locked', `the user migration starts in less than ${ctx.rules.lockHoursBefore} hours`);
  return refusalSentence(check.code);
}

const extend: Action = async (ctx, r) => {
  const before = await ctx.data.migration(r.subscriptionId);
  if (before && !before.starts_at) return refusal(refusalSentence('no_date_yet'), subscriptionPath(r.subscriptionId, '/status'), 'schedule_invalid');
  const m = await extendWindow(ctx.app, { subscriptionId: r.subscriptionId, actor: r.session.actor });
  return notice(`The migration now expires ${formatMoment(m.window_expires_at, await timeZone(ctx, r.subscriptionId))} (extension ${m.extensions} of ${ctx.rules.maxExtensions}).`, subscriptionPath(r.subscriptionId, '/status'));
};

/** Refuses to start a run the engine would refuse anyway, so the admin reads why at once. */
async function checkRunnable(ctx: ConsoleContext, subscriptionId: string): Promise<string | null> {
  const m = await ctx.data.migration(subscriptionId);
  if (!m || ['not_started', 'product_linked', 'rolled_back'].includes(m.state)) return 'Set the user-migration date first (Overview): users can migrate once it is scheduled.';
  if (['confirmed', 'support_migrated', 'done'].includes(m.state)) return 'The migration is already confirmed.';
  return null;
}

async function startRun(ctx: ConsoleContext, r: SubscriptionRequest, userIds: string[] | undefined): Promise<Outcome> {
  const blocked = await checkRunnable(ctx, r.subscriptionId);
  if (blocked) return refusal(blocked);
  await ctx.store.appendAudit({ at: ctx.now().toISOString(), actor: r.session.actor, action: 'console:migration_requested', subscriptionId: r.subscriptionId, details: userIds ? { users: userIds.length, userIds: userIds.slice(0, 100) } : { all: true } });
  const ahead = ctx.runs.enqueue(r.subscriptionId, r.session.actor, userIds);
  const who = userIds ? plural(userIds.length, 'selected user') : 'every eligible user (admins first)';
  return notice(`Migrating ${who}${ahead > 0 ? ` after the ${plural(ahead, 'run')} already going` : ''}. Progress shows on Migration Status as it happens.`, subscriptionPath(r.subscriptionId, '/status'));
}

/** Migrate All moves the admins it can; when some cannot move, the others wait, and the admin reads so at once. */
const migrateAll: Action = async (ctx, r) => {
  const outcome = await startRun(ctx, r, undefined);
  if (outcome.flash.kind !== 'notice') return outcome;
  const waiting = await loadWaitingAdmins(ctx.store.kysely, r.subscriptionId);
  return waiting.stuck.length > 0 ? notice(`${outcome.flash.text} ${adminsHeldSentence(waiting.stuckNames, waiting.stuck.length)}`, outcome.to) : outcome;
};

/** "Migrate the admins now": the outstanding admins who can move, through the same run as Migrate Now. */
async function migrateAdmins(ctx: ConsoleContext, r: SubscriptionRequest): Promise<Outcome> {
  const waiting = await loadWaitingAdmins(ctx.store.kysely, r.subscriptionId);
  if (waiting.count === 0) return notice('Every admin is migrated or skipped: the other users can move.');
  if (waiting.movable.length === 0) return refusal(adminsCannotMoveSentence(waiting.stuckNames), undefined, 'admins_first');
  return startRun(ctx, r, waiting.movable);
}

/**
 * Migrate Now of others while admins are outstanding and not all among the users that can move: the run would be
 * refused (app/actions/migrate-users.ts), so the admin reads why before anything is queued, with the way out.
 */
async function refuseOthersBeforeAdmins(ctx: ConsoleContext, r: SubscriptionRequest, rows: { user_id: string; admin: number }[], ready: string[]): Promise<Outcome | null> {
  if (!rows.some((u) => !u.admin && ready.includes(u.user_id))) return null;
  const waiting = await loadWaitingAdmins(ctx.store.kysely, r.subscriptionId);
  if (waiting.count === 0 || (waiting.count === waiting.movable.length && waiting.movable.every((id) => ready.includes(id)))) return null;
  return refusal(`${adminsFirstSentence(waiting.names, waiting.count)} ${ADMINS_FIRST_WAYS}`, undefined, 'admins_first');
}

/** Skipping admins asks a second time, naming them, before anything changes; the answer posts `confirm_admins=yes`. */
async function askBeforeSkippingAdmins(ctx: ConsoleContext, r: SubscriptionRequest, ids: string[], reason: string, back: string): Promise<Outcome | null> {
  const admins = await migrationDb(ctx.store.kysely).selectFrom('mig_users').select(['user_id', 'first_name', 'last_name']).where('subscription_id', '=', r.subscriptionId)
    .where('admin', '=', 1).where('state', 'in', ['needs_email_verification', 'eligible', 'blocked', 'failed']).where('user_id', 'in', ids).orderBy('user_id').execute();
  if (admins.length === 0) return null;
  const names = listed(admins.map((a) => personLabel(a.user_id, fullName(a.first_name, a.last_name))));
  return {
    flash: { kind: 'notice', text: refusalSentence('admin_skip_unconfirmed') },
    page: { title: 'Skip Migration', tab: 'users', body: renderAdminSkipPage({ session: r.session, subscriptionId: r.subscriptionId, userIds: ids, reason, adminNames: names, adminCount: admins.length, back }) },
  };
}

const verifyAll: Action = async (ctx, r) => sendVerification(ctx, r, undefined);

async function sendVerification(ctx: ConsoleContext, r: SubscriptionRequest, userIds: string[] | undefined): Promise<Outcome> {
  const result = await sendVerificationMail(ctx.app, { subscriptionId: r.subscriptionId, actor: r.session.actor, ...(userIds ? { userIds } : {}) });
  const parts = [`Verification email sent to ${plural(result.sent + result.duplicate, 'user')}.`];
  if (result.failed > 0) parts.push(`${plural(result.failed, 'mail')} could not be sent; try again later.`);
  if (result.notInAudience.length > 0) parts.push(`Not needed for ${listed(result.notInAudience)} (already verified, skipped or not migrating).`);
  return { flash: { kind: result.failed > 0 ? 'error' : 'notice', text: parts.join(' ') } };
}

/** The buttons of the User Migration tab, on the selected users. */
const userAction: Action = async (ctx, r, form) => {
  const action = form.get('action') ?? '';
  // Back to the page of the table the form was on, and nowhere else: a console path (no whitespace, which a
  // Location header cannot carry) of this subscription's User Migration tab, with its query.
  const users = subscriptionPath(r.subscriptionId, '/users');
  const back = safeConsolePath(form.get('return'));
  const to = back === users || back.startsWith(`${users}?`) ? back : undefined;
  const db = migrationDb(ctx.store.kysely);
  if (action === 'retry-failed') {
    const failed = (await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', r.subscriptionId).where('state', '=', 'failed').execute()).map((u) => u.user_id);
    if (failed.length === 0) return notice('No failed users to retry.');
    const res = await change(ctx, r, 'retry', failed);
    return startRun(ctx, r, res.changed);
  }
  const withTo = (o: Outcome): Outcome => (to && !o.to ? { ...o, to } : o);
  if (action === 'migrate-admins') return withTo(await migrateAdmins(ctx, r));
  const ids = [...new Set(form.getAll('user').map((x) => x.trim()).filter(Boolean))].slice(0, 1000);
  if (ids.length === 0) return refusal('Select at least one user first.', to);
  switch (action) {
    case 'migrate': {
      const rows = await db.selectFrom('mig_users').select(['user_id', 'state', 'admin']).where('subscription_id', '=', r.subscriptionId).where('user_id', 'in', ids).execute();
      const ready = rows.filter((u) => u.state === 'eligible' || u.state === 'failed').map((u) => u.user_id);
      const notReady = ids.filter((id) => !ready.includes(id));
      const people = await peopleOf(ctx, r.subscriptionId, notReady.slice(0, MAX_LISTED));
      if (ready.length === 0) return withTo(refusal(`None of the selected users can migrate now: only eligible, email-verified users (or failed ones, to retry) can. Not ready: ${listedPeople(notReady, people)}.`));
      const held = await refuseOthersBeforeAdmins(ctx, r, rows, ready);
      if (held) return withTo(held);
      const outcome = await startRun(ctx, r, ready);
      return notReady.length > 0 && outcome.flash.kind === 'notice' ? notice(`${outcome.flash.text} Left out (not eligible or already migrated): ${listedPeople(notReady, people)}.`, outcome.to) : outcome;
    }
    case 'skip': {
      const reason = (form.get('reason') ?? '').trim();
      if (!reason) return withTo(refusal('Give a reason for skipping: skipped users lose access once the migration completes.'));
      const confirmAdmins = form.get('confirm_admins') === 'yes';
      const ask = confirmAdmins ? null : await askBeforeSkippingAdmins(ctx, r, ids, reason, to ?? users);
      if (ask) return ask;
      return withTo(await summarize(ctx, r, 'skip', await change(ctx, r, 'skip', ids, reason, confirmAdmins)));
    }
    case 'unskip':
      return withTo(await summarize(ctx, r, 'unskip', await change(ctx, r, 'unskip', ids)));
    case 'retry': {
      const res = await change(ctx, r, 'retry', ids);
      if (res.changed.length === 0) return withTo(await summarize(ctx, r, 'retry', res));
      const outcome = await startRun(ctx, r, res.changed);
      return res.refused.length > 0 ? notice(`${outcome.flash.text} ${await explainRefusals(ctx, r.subscriptionId, 'retry', res.refused)}`, outcome.to) : outcome;
    }
    case 'verify':
      return withTo(await sendVerification(ctx, r, ids));
    default:
      return withTo(refusal('Choose what to do with the selected users.'));
  }
};

const DONE: Record<Change, string> = { skip: 'Skipped', unskip: 'Unskipped', retry: 'Retried' };

async function summarize(ctx: ConsoleContext, r: SubscriptionRequest, action: Change, res: { changed: string[]; refused: Refused[] }): Promise<Outcome> {
  // Nothing changed and someone refused: the refusal alone ("Retried 0 users." said nothing).
  const parts = res.changed.length > 0 || res.refused.length === 0 ? [`${DONE[action]} ${plural(res.changed.length, 'user')}${res.changed.length > 0 ? ` (${listed(res.changed)})` : ''}.`] : [];
  if (res.refused.length > 0) parts.push(await explainRefusals(ctx, r.subscriptionId, action, res.refused));
  // The first refusal's code stays in the page for support.
  const code = res.refused[0] ? res.refused[0].code ?? 'transition_refused' : undefined;
  return { flash: { kind: res.changed.length === 0 ? 'error' : 'notice', text: parts.join(' '), ...(code ? { code } : {}) } };
}

const confirm: Action = async (ctx, r, form) => {
  if (form.get('acknowledge') !== 'yes') return refusal('Tick the box to confirm that skipped users will lose access.', subscriptionPath(r.subscriptionId, '/confirm'));
  const { productTold } = await confirmMigration(ctx.app, { subscriptionId: r.subscriptionId, actor: r.session.actor, acknowledgeSkippedLoseAccess: true });
  const product = productTold ? ' The product was told: its own sign-in is closed for this subscription, skipped users included.' : '';
  return notice(`The migration is complete and confirmed. Everyone signs in with the IMS now; support tickets move next.${product}`, subscriptionPath(r.subscriptionId, '/status'));
};

const apiClientsTab = (r: SubscriptionRequest) => subscriptionPath(r.subscriptionId, '/api-clients');
const createClient: Action = async (ctx, r, form) => ({ to: apiClientsTab(r), ...await createApiClient(ctx, r, form) });
const clientAction: Action = async (ctx, r, form) => ({ to: apiClientsTab(r), ...await revokeApiClient(ctx, r, form) });

export const ACTIONS: Record<string, Action> = {
  '/link': link, '/schedule': schedule, '/extend': extend, '/migrate-all': migrateAll, '/verify-all': verifyAll, '/users/action': userAction, '/confirm': confirm,
  '/api-clients': createClient, '/api-clients/action': clientAction,
};

/** Runs an action and answers with a redirect (POST/redirect/GET); a rule the engine refuses becomes the flash. */
export async function runAction(ctx: ConsoleContext, r: SubscriptionRequest, action: Action, form: URLSearchParams, res: ServerResponse, fallback: string): Promise<void> {
  let outcome: Outcome;
  try {
    outcome = await action(ctx, r, form);
  } catch (error) {
    if (!(error instanceof MigrationError) && !(error instanceof AppError) && (error as { name?: string }).name !== 'CommsError') throw error;
    const e = error as { code: string; message: string };
    outcome = refusal(await consoleMessage(ctx, r.subscriptionId, e), undefined, e.code);
  }
  ctx.hub.notify(r.subscriptionId);
  if (outcome.page) {
    const sub = await ctx.authz.authorize(r.session, r.subscriptionId);
    return sendPage(res, 200, layout({ title: outcome.page.title, session: r.session, subscription: sub, active: outcome.page.tab, flash: outcome.flash, body: outcome.page.body }));
  }
  await ctx.sessions.setFlash(r.session, outcome.flash);
  seeOther(res, outcome.to ?? fallback);
}

/**
 * Codes whose engine message is already a sentence for people (a prerequisite from the plan, the option a setting
 * needs): the console says the glossary's words with it. Other messages name CLI flags, raw states or ISO dates, so
 * the console says the glossary's words with what it knows itself.
 */
const ENGINE_SENTENCE = new Set(['prerequisite_missing', 'usage', 'not_configured', 'placeholder_missing', 'template_invalid', 'settings_invalid', 'file_not_found']);

/** A refused action in the console's words (src/core/glossary/refusal-words.ts), by the error's code. */
async function consoleMessage(ctx: ConsoleContext, subscriptionId: string, e: { code: string; message: string }): Promise<string> {
  if (ENGINE_SENTENCE.has(e.code)) return refusalSentence(e.code, e.message.replace('(rerun with --consent)', '(tick the consent box)'));
  const m = ['transition_refused', 'extensions_exhausted', 'window_expired'].includes(e.code) ? await ctx.data.migration(subscriptionId) : undefined;
  if (!m) return refusalSentence(e.code);
  if (e.code === 'extensions_exhausted') return refusalSentence(e.code, `${m.extensions} of ${ctx.rules.maxExtensions}`);
  if (e.code === 'window_expired') return refusalSentence(e.code, m.window_expires_at ? formatMoment(m.window_expires_at, await timeZone(ctx, subscriptionId)) : null);
  const where = subscriptionStateWords(m.state);
  return refusalSentence(e.code, `Where the migration stands: ${where.label}. ${where.sentence}`);
}

/** A calendar day as the console writes it ("13 Dec 2026"): a day has no zone to convert. */
function formatDate(day: string): string {
  return formatDay(day, 'UTC');
}
