import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../../app/app-error.ts';
import {
  moveSupportTickets, openLinkSource, readAccessSnapshot, readSupportTickets, readUrlRules, rewriteStoredLinks, verifyAccess,
  inputName, type AccessFrom, type InputFile, type LinksFrom,
} from '../../app/actions/phase-three.ts';
import type { CompiledUrlRules } from '../../core/urls/url-rule-types.ts';
import { UrlRulesError } from '../../core/urls/url-rules-error.ts';
import { MigrationError } from '../../engine/migration-error.ts';
import { ImportError, ImportErrors } from '../../importers/import-error.ts';
import type { LinkSource } from '../../links/rewrite-links.ts';
import { ProductSourceError, type ProductSource } from '../../ports/product-source.ts';
import { csvCell } from '../../reports/readiness-csv.ts';
import type { ConsoleContext, SubscriptionRequest } from '../console-context.ts';
import { HttpError, sendDownload } from '../console-http.ts';
import { checkCsrf } from '../csrf.ts';
import type { TaskLabels, TaskWork } from '../migration-runs.ts';
import { subscriptionStateLabel } from '../pages/labels.ts';
import { subscriptionPath, type SafeHtml } from '../pages/layout.ts';
import { describe, renderSupportPage, type SupportSection } from '../pages/support-page.ts';
import { runAction } from './action-routes.ts';

// The Support & links tab's actions (phase 3 and the links), each the application function its CLI command calls,
// run as a background job whose progress the page follows over the console's server-sent events.

/** An upload bigger than this is refused before it is parsed; the CLI reads files of any size. */
const MAX_UPLOAD_BYTES = 64 * 2 ** 20;
/** How long an action waits for its job before answering: a small one lands on its result, a big one on its bar. */
const WAIT_MS = 1500;

type Upload = { name: string; bytes: Uint8Array };
interface Submitted { form: URLSearchParams; files: Map<string, Upload> }
type Outcome = { flash: { kind: 'notice' | 'error'; text: string; code?: string }; to?: string; page?: { title: string; tab: 'support'; body: SafeHtml } };

/** A dry run "Apply" may write: what it read and with which rules (held by this console until applied). */
interface PendingRewrite { id: string; toChange: number; links: LinksFrom; rules: CompiledUrlRules; fromFile: string | null }
interface PhaseThreeState { dryRuns: Map<string, PendingRewrite>; exports: Map<string, { name: string; text: string }> }
const states = new WeakMap<ConsoleContext, PhaseThreeState>();
const stateOf = (ctx: ConsoleContext): PhaseThreeState => {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = { dryRuns: new Map(), exports: new Map() }));
  return s;
};

const LABELS: Record<'tickets' | 'dryRun' | 'apply' | 'access', TaskLabels> = {
  tickets: { kind: 'tickets', inProgress: 'Moving support tickets', finished: 'Support tickets moved' },
  dryRun: { kind: 'links', inProgress: 'Dry run of the link rewrite', finished: 'Dry run done' },
  apply: { kind: 'links', inProgress: 'Rewriting stored links', finished: 'Stored links rewritten' },
  access: { kind: 'access', inProgress: 'Checking access before and after', finished: 'Access checked' },
};

/** Reads the form: URL-encoded, or multipart with its files (bounded); anything else carries no token and is refused. */
async function readSubmission(req: IncomingMessage): Promise<Submitted> {
  const type = req.headers['content-type'] ?? '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_UPLOAD_BYTES) throw new HttpError(413, 'form_too_large', `That file is too large for the console (at most ${MAX_UPLOAD_BYTES / 2 ** 20} MB): an operator can run the same step with the rehome command.`);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const kind = type.split(';')[0]!.trim().toLowerCase();
  if (kind === 'application/x-www-form-urlencoded') return { form: new URLSearchParams(body.toString('utf8')), files: new Map() };
  const submitted: Submitted = { form: new URLSearchParams(), files: new Map() };
  if (kind !== 'multipart/form-data') return submitted;
  let data: FormData;
  try {
    data = await new Response(body, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new HttpError(400, 'form_invalid', 'The form could not be read. Reload the page and try again.');
  }
  for (const [key, value] of data) {
    if (typeof value === 'string') submitted.form.append(key, value);
    else if (value.size > 0 || value.name !== '') submitted.files.set(key, { name: value.name || key, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  return submitted;
}

type Handler = (ctx: ConsoleContext, r: SubscriptionRequest, submitted: Submitted) => Promise<Outcome>;
const notice = (text: string, to?: string): Outcome => ({ flash: { kind: 'notice', text }, ...(to ? { to } : {}) });
const refusal = (text: string, code?: string): Outcome => ({ flash: { kind: 'error', text, ...(code ? { code } : {}) } });
const back = (r: SubscriptionRequest, section: SupportSection) => subscriptionPath(r.subscriptionId, `/support#${section}-h`);

/** A problem with a file (or the product's data) the admin can fix, as lines to list; undefined for anything else. */
function inputProblems(e: unknown): { title: string; lines: string[]; code: string } | undefined {
  if (e instanceof ImportErrors) return { title: `${e.message.split('\n')[0]} nothing was changed.`, lines: e.errors.map((x) => x.message), code: e.code };
  if (e instanceof ImportError) return { title: 'The file cannot be read: nothing was changed.', lines: [e.message], code: e.code };
  if (e instanceof UrlRulesError) return { title: 'The URL rules cannot be used: nothing was changed.', lines: e.problems, code: e.code };
  if (e instanceof ProductSourceError && e.code === 'invalid_file') return { title: 'The links export cannot be read: nothing was changed.', lines: [e.message], code: e.code };
  if (e instanceof AppError && e.code === 'usage') return { title: 'The file cannot be used: nothing was changed.', lines: e.message.split('\n'), code: e.code };
  return undefined;
}

/** What a job says when it stops on something the admin can act on; undefined for what is unexpected. */
function jobFailure(e: unknown): string | undefined {
  const problems = inputProblems(e);
  if (problems) return `${problems.title} ${problems.lines.slice(0, 3).join('; ')}${problems.lines.length > 3 ? ` (and ${problems.lines.length - 3} more)` : ''}`;
  if (e instanceof ProductSourceError) return `the product's API answered ${e.code}${e.retryable ? ': try again in a moment' : ': an operator must check product.url and product.token'}. Nothing was lost.`;
  if (e instanceof MigrationError || e instanceof AppError) return `${e.message} (${e.code})`;
  return undefined;
}

/** The job, started in the background; the answer waits a moment so a small job lands on its result. */
async function startJob(ctx: ConsoleContext, r: SubscriptionRequest, labels: TaskLabels, work: TaskWork, done: () => Outcome): Promise<Outcome> {
  const ended = ctx.runs.startTask(r.subscriptionId, labels, async (progress, signal) => {
    try {
      return await work(progress, signal);
    } catch (error) {
      const failure = jobFailure(error);
      if (failure === undefined) throw error;
      return failure;
    }
  });
  const to = back(r, labels.kind as SupportSection);
  if (!ended) return { ...refusal('Another Support & links job is running for this subscription: wait for it to end (its progress shows on this page).'), to };
  const t = await Promise.race([ended, delay(WAIT_MS, undefined, { ref: false })]);
  if (!t) return notice(`${labels.inProgress}: the progress shows below.`, to);
  return t.error ? { ...refusal(`${labels.inProgress} stopped: ${t.error}`), to } : { ...done(), to };
}

/** The file the form's `field` carries, or the product when `choice` picks it and the app has its connection. */
function chosenSource(ctx: ConsoleContext, r: SubscriptionRequest, s: Submitted, choice: string, field: string): { file: InputFile } | { product: ProductSource } | undefined {
  const product = ctx.app.productSource(r.subscriptionId);
  if (s.form.get(choice) === 'product' && product) return { product };
  const upload = s.files.get(field);
  return upload ? { file: upload } : undefined;
}

/** The Support & links page, answering a form whose file had problems (listed in its section). */
async function problemPage(ctx: ConsoleContext, r: SubscriptionRequest, section: SupportSection, p: { title: string; lines: string[]; code: string }): Promise<Outcome> {
  const where = { tickets: 'Support tickets', links: 'Stored links', access: 'Access before and after' }[section];
  return {
    flash: { kind: 'error', text: `The file has problems, listed under ${where}: nothing was changed.`, code: p.code },
    page: { title: 'Support tickets and links', tab: 'support', body: await supportBody(ctx, r, { section, title: p.title, lines: p.lines.slice(0, 50) }) },
  };
}

/** Runs `read` (parsing what was uploaded); when the file is wrong, the page with its problems is the answer. */
async function withInput<T>(ctx: ConsoleContext, r: SubscriptionRequest, section: SupportSection, read: () => Promise<T>): Promise<{ value: T } | { answer: Outcome }> {
  try {
    return { value: await read() };
  } catch (e) {
    const problems = inputProblems(e);
    if (!problems) throw e;
    return { answer: await problemPage(ctx, r, section, problems) };
  }
}

const moveTickets: Handler = async (ctx, r, s) => {
  const from = chosenSource(ctx, r, s, 'from', 'tickets');
  if (!from) return refusal('Choose the tickets export first (.jsonl, .ndjson or .csv).');
  const read = 'file' in from ? await withInput(ctx, r, 'tickets', () => readSupportTickets(from)) : undefined;
  if (read && 'answer' in read) return read.answer;
  const fromFile = read?.value;
  const input = { subscriptionId: r.subscriptionId, actor: r.session.actor };
  try {
    // The engine's own checks first (confirmed, a migrated admin for tickets whose submitter did not migrate):
    // a dry run writes nothing, so a refusal reads at once instead of ending a job.
    await moveSupportTickets(ctx.app, { ...input, tickets: fromFile?.tickets ?? [], source: fromFile?.source ?? 'product', dryRun: true });
  } catch (e) {
    if (!(e instanceof MigrationError) || e.code !== 'transition_refused') throw e;
    const m = await ctx.data.migration(r.subscriptionId);
    return refusal(`Support tickets move once the migration is confirmed (Complete Migration), so that every ticket finds its owner's IMS account. Where the migration stands: ${subscriptionStateLabel(m?.state ?? null)}.`, e.code);
  }
  let counts = '';
  return startJob(ctx, r, LABELS.tickets, async (progress) => {
    const { tickets, source } = fromFile ?? await readSupportTickets(from);
    progress(0, tickets.length);
    const report = await moveSupportTickets(ctx.app, { ...input, tickets, source, dryRun: false, onBatch: progress });
    const c = report.reconciliation;
    counts = `${c.ticketsIn} in, ${report.moved} moved now, ${report.alreadyPresent} already moved, ${Math.max(0, c.ticketsIn - report.stored.tickets)} failed`;
    return report.reconciled ? null : `the counts do not reconcile (${counts}): move them again, it resumes where it stopped.`;
  }, () => notice(`Support tickets moved: ${counts}; the counts reconcile.`));
};

const dryRunLinks: Handler = async (ctx, r, s) => {
  const configured = ctx.app.config.redirects.rulesFile;
  const rulesUpload = s.files.get('rules');
  if (!configured && !rulesUpload) return refusal('Choose the URL rules file first (JSON).');
  const from = chosenSource(ctx, r, s, 'from', 'links');
  if (!from) return refusal('Choose the links export first (JSON lines of { kind, id, field, text }).');
  const read = await withInput(ctx, r, 'links', async () => {
    const rules = readUrlRules(rulesUpload ?? { path: configured! }, ctx.app.config.redirects.allowedHosts ?? []);
    // An uploaded export is read now, so that its problems show at once; the product is read by the job.
    if ('file' in from) openLinkSource(from);
    return rules;
  });
  if ('answer' in read) return read.answer;
  const rules = read.value;
  const pending: PendingRewrite = { id: randomUUID(), toChange: 0, links: from, rules, fromFile: 'file' in from ? inputName(from.file) : null };
  const dryRuns = stateOf(ctx).dryRuns;
  return startJob(ctx, r, LABELS.dryRun, async () => {
    dryRuns.delete(r.subscriptionId);
    const report = await rewriteStoredLinks(ctx.app, { source: openLinkSource(from).source, rules, apply: false, subscriptionId: r.subscriptionId, actor: r.session.actor });
    pending.toChange = report.plan.toChange;
    dryRuns.set(r.subscriptionId, pending);
    return null;
  }, () => notice(`Dry run done: ${pending.toChange} stored ${pending.toChange === 1 ? 'link' : 'links'} would change. Check the list below, then apply it.`));
};

const applyLinks: Handler = async (ctx, r, s) => {
  const state = stateOf(ctx);
  const pending = state.dryRuns.get(r.subscriptionId);
  if (!pending || s.form.get('dry-run') !== pending.id) return { ...refusal('Run the dry run again first: the one on this page is no longer the newest (another dry run, an apply, or a restart came since).'), to: back(r, 'links') };
  if (s.form.get('confirm') !== 'yes') return { ...refusal('Tick the box to confirm that you checked the changes, then apply.'), to: back(r, 'links') };
  state.dryRuns.delete(r.subscriptionId);
  let written = '';
  return startJob(ctx, r, LABELS.apply, async (progress) => {
    const { source, file } = openLinkSource(pending.links);
    progress(0, pending.toChange);
    const report = await rewriteStoredLinks(ctx.app, { source: counting(source, pending.toChange, progress), rules: pending.rules, apply: true, subscriptionId: r.subscriptionId, actor: r.session.actor });
    const a = report.appliedCounts!;
    if (file && pending.fromFile) state.exports.set(r.subscriptionId, { name: pending.fromFile.replace(/(\.[^.]*)?$/, '-rewritten.jsonl'), text: file.serialize() });
    written = `${a.written} written${a.conflict ? `, ${a.conflict} changed meanwhile (not overwritten)` : ''}${a.not_found ? `, ${a.not_found} gone` : ''}${a.failed ? `, ${a.failed} failed` : ''}`;
    return null;
  }, () => notice(`Stored links rewritten: ${written}.${pending.fromFile ? ' Download the rewritten export for the product to import.' : ''}`));
};

/** The link source, counting writes for the bar. */
function counting(source: LinkSource, total: number, progress: (done: number, total: number) => void): LinkSource {
  let done = 0;
  return {
    listLinks: () => source.listLinks(),
    async updateLink(id, text, expected) {
      try {
        return await source.updateLink(id, text, expected);
      } finally {
        progress(++done, Math.max(total, done));
      }
    },
  };
}

const checkAccess: Handler = async (ctx, r, s) => {
  const before: AccessFrom | undefined = s.form.get('before') === 'stored' ? { stored: r.subscriptionId } : s.files.has('before-file') ? { file: s.files.get('before-file')! } : undefined;
  if (!before) return refusal('Choose the access before the move: the newest import, or a file.');
  const after = chosenSource(ctx, r, s, 'after', 'after-file');
  if (!after) return refusal('Choose the access after the move: the product, or its users export after the move.');
  const deps = { app: ctx.app, now: ctx.now };
  const read = await withInput(ctx, r, 'access', async () => ({
    before: await readAccessSnapshot(before, deps),
    after: 'file' in after ? await readAccessSnapshot(after, deps) : undefined,
  }));
  if ('answer' in read) return read.answer;
  const snapshots = read.value;
  let lost = 0;
  return startJob(ctx, r, LABELS.access, async () => {
    const diff = await verifyAccess(ctx.app, { before: snapshots.before, after: snapshots.after ?? await readAccessSnapshot(after, deps), subscriptionId: r.subscriptionId });
    lost = diff.summary.bySeverity.loss;
    return null;
  }, () => (lost > 0 ? { flash: { kind: 'error', text: `${lost} ${lost === 1 ? 'user lost' : 'users lost'} access: they are listed first below. Restore their access in the product.` } } : notice('Access checked: nobody lost access.')));
};

/**
 * The rewritten links export, answered as a file: a POST, not a link, because it is the product's data held in
 * memory, guarded by the form's token like an action. Without one, the action below refuses.
 */
function sendRewrittenExport(ctx: ConsoleContext, r: SubscriptionRequest, res: ServerResponse): boolean {
  const held = stateOf(ctx).exports.get(r.subscriptionId);
  if (!held) return false;
  sendDownload(res, held.text, { type: 'application/x-ndjson; charset=utf-8', filename: held.name });
  return true;
}
const noExport: Handler = async (_ctx, r) => ({ ...refusal('No rewritten export is held: apply a dry run of an uploaded links export first (it is kept until the server restarts).'), to: back(r, 'links') });

/** The Support & links actions (POST), by path under `/console/s/:id`. */
export const PHASE_THREE_ACTIONS: Record<string, Handler> = {
  '/move-tickets': moveTickets, '/rewrite-links': dryRunLinks, '/apply-links': applyLinks, '/check-access': checkAccess, '/rewritten-links': noExport,
};
/** Actions that may answer with a file instead of a redirect. */
const FILE_ANSWERS: Record<string, typeof sendRewrittenExport> = { '/rewritten-links': sendRewrittenExport };

/** Reads the form (with its files), checks its token, and answers like every console action (POST/redirect/GET). */
export async function runPhaseThreeAction(ctx: ConsoleContext, r: SubscriptionRequest, rest: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const action = PHASE_THREE_ACTIONS[rest]!;
  const submitted = await readSubmission(req);
  checkCsrf(req, r.session, submitted.form, ctx.origin);
  if (FILE_ANSWERS[rest]?.(ctx, r, res)) return;
  return runAction(ctx, r, () => action(ctx, r, submitted), submitted.form, res, subscriptionPath(r.subscriptionId, '/support'));
}

/** The page's data, for the tab and for a form answered with its problems. */
async function supportBody(ctx: ConsoleContext, r: SubscriptionRequest, problems?: { section: SupportSection; title: string; lines: string[] }): Promise<SafeHtml> {
  const id = r.subscriptionId;
  const [m, timeZone, tickets, links, access, [imported]] = await Promise.all([
    ctx.data.migration(id), ctx.data.timeZone(id), ctx.support.ticketReport?.(id), ctx.support.linkRewrite?.(id), ctx.support.accessReport?.(id), ctx.store.listSnapshots(id),
  ]);
  const state = stateOf(ctx);
  const dryRun = state.dryRuns.get(id);
  const rules = ctx.app.config.redirects.rulesFile;
  return renderSupportPage({
    session: r.session, subscriptionId: id, state: m?.state ?? null, timeZone,
    productConnected: ctx.app.productSource(id) !== undefined, rulesFile: rules ? rules.split(/[\\/]/).pop()! : null,
    imported: imported ? { at: imported.at, users: imported.userCount } : null, task: ctx.runs.status(id).task,
    tickets, links, access, dryRun: dryRun && { id: dryRun.id, toChange: dryRun.toChange, fromFile: dryRun.fromFile },
    rewrittenExport: state.exports.get(id)?.name, ...(problems ? { problems } : {}),
  });
}

/** The Support & links tab; live, so a running job's bar moves. */
export async function supportPage(ctx: ConsoleContext, r: SubscriptionRequest): Promise<{ title: string; tab: 'support'; body: SafeHtml; live: boolean }> {
  return { title: 'Support tickets and links', tab: 'support', body: await supportBody(ctx, r), live: true };
}

type DownloadRoute = (ctx: ConsoleContext, r: SubscriptionRequest, res: ServerResponse) => Promise<void>;

const csv = (header: string[], rows: string[][]) => `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
/** Before a first run the download holds no rows (the CSV its header, the JSON `null`), as the page's empty state says. */
const sendCsv = (res: ServerResponse, name: string, body: string) => sendDownload(res, body, { type: 'text/csv; charset=utf-8', filename: name });
const sendJson = (res: ServerResponse, name: string, report: unknown) => sendDownload(res, `${JSON.stringify(report ?? null, null, 2)}\n`, { type: 'application/json; charset=utf-8', filename: name });

/** The reports of the three actions, as CSV (one row per ticket, old link or difference) and as the CLI's JSON. */
export const PHASE_THREE_DOWNLOADS: Record<string, DownloadRoute> = {
  '/tickets-report.csv': async (ctx, r, res) => sendCsv(res, `tickets-${r.subscriptionId}.csv`, csv(
    ['ticket', 'status', 'submitter', 'attributed_to', 'attribution', 'reason', 'messages', 'moved_at'],
    ((await ctx.support.movedTickets?.(r.subscriptionId)) ?? []).map((t) => [t.ticketId, t.status, t.submitterUserId, t.attributedToUserId, t.attribution, t.reason ?? '', String(t.messages), t.movedAt]),
  )),
  '/tickets-report.json': async (ctx, r, res) => sendJson(res, `tickets-${r.subscriptionId}.json`, (await ctx.support.ticketReport?.(r.subscriptionId))?.report),
  '/links-report.csv': async (ctx, r, res) => {
    const report = (await ctx.support.linkReport?.(r.subscriptionId))?.report;
    const written = new Map((report?.applied ?? []).map((a) => [a.id, a.status]));
    const view = await ctx.support.linkRewrite?.(r.subscriptionId);
    sendCsv(res, `link-rewrite-${r.subscriptionId}.csv`, csv(
      ['kind', 'id', 'field', 'old_url', 'new_url', 'result', 'rule', 'reason', 'write'],
      (view?.items ?? []).map((i) => [i.kind, i.id, i.field, i.from, i.to ?? '', i.status, i.ruleId ?? '', i.reason ?? '', written.get(i.id) ?? '']),
    ));
  },
  '/links-report.json': async (ctx, r, res) => sendJson(res, `link-rewrite-${r.subscriptionId}.json`, (await ctx.support.linkReport?.(r.subscriptionId))?.report),
  '/access-report.csv': async (ctx, r, res) => {
    const diff = (await ctx.support.accessReport?.(r.subscriptionId))?.report;
    sendCsv(res, `access-check-${r.subscriptionId}.csv`, csv(
      ['user', 'email', 'severity', 'difference', 'detail'],
      (diff?.users ?? []).flatMap((u) => u.differences.map((d) => [u.userId, u.email ?? '', u.severity, d.kind, describe(d)])),
    ));
  },
  '/access-report.json': async (ctx, r, res) => sendJson(res, `access-check-${r.subscriptionId}.json`, (await ctx.support.accessReport?.(r.subscriptionId))?.report),
};
