import type { Kysely } from 'kysely';
import { planDueComms, planTemplateSends, type CommsSchedule, type DueSend } from '../core/comms/plan-comms.ts';
import { LINK_TEMPLATES, type PlaceholderName, type TemplateName } from '../core/comms/templates.ts';
import { MailError, type Mailer } from '../mail/mailer.ts';
import { auditIn, migrationDb } from '../engine/migration-repo.ts';
import { CommsError } from './comms-error.ts';
import { loadCommsState, recordSend, type CommsRecipient, type CommsState } from './comms-repo.ts';
import { composeMail, mailValues, type MailContext } from './compose-mail.ts';
import type { TemplateSet } from './template-files.ts';
import type { VerificationLinks } from './verification-links.ts';

/** What sending needs, injected (STYLE.md rule 4). */
export interface CommsDeps {
  db: Kysely<any>;
  mailer: Mailer;
  links: VerificationLinks;
  templates: TemplateSet;
  context: MailContext;
  schedule: CommsSchedule;
  now: () => Date;
  /** For the audit log (`cli:<user>`, `admin:<id>`, `product-user:<id>`). */
  actor: string;
}

/** `due`: what the schedule says now; `template`: one template to its audience now (optionally some users only). */
export type CommsSelection = { kind: 'due' } | { kind: 'template'; template: TemplateName; userIds?: readonly string[] };

export interface CommsRunResult {
  dryRun: boolean;
  /** The sends planned (for a dry run: what would go out). */
  planned: DueSend[];
  sent: number;
  /** Already mailed by an earlier, interrupted run: recorded now, not mailed again. */
  duplicate: number;
  failed: { userId: string; template: TemplateName; code: string; message: string }[];
  byTemplate: Partial<Record<TemplateName, { sent: number; duplicate: number; failed: number }>>;
  /** Requested users outside the template's audience (already verified, API-only, skipped...). */
  notInAudience: string[];
}

/**
 * Plans and sends one subscription's mails. Each mail goes through the Mailer with its key (`comms:<send key>`)
 * and is recorded after; a crash in between is healed by the next run (the Mailer reports the key as a
 * duplicate and the record is written then), so nobody is mailed twice. Failures are reported per person, not
 * thrown; each template's counts are audited as `comms:sent` (no addresses).
 */
export async function sendComms(deps: CommsDeps, subscriptionId: string, selection: CommsSelection, opts: { dryRun?: boolean; concurrency?: number; onProgress?: (done: number, failed: number, total: number) => void } = {}): Promise<CommsRunResult> {
  const state = await loadCommsState(deps.db, subscriptionId);
  const { planned, notInAudience } = selection.kind === 'due'
    ? { planned: planDueComms({ migration: state.migration, users: state.users, sent: state.sent, now: deps.now(), schedule: deps.schedule }), notInAudience: [] }
    : (({ sends, notInAudience: n }) => ({ planned: sends, notInAudience: n }))(planTemplateSends({ migration: state.migration, users: state.users, sent: state.sent, template: selection.template, ...(selection.userIds ? { userIds: selection.userIds } : {}) }));
  const users = new Map(state.users.map((u) => [u.userId, u]));
  refuseMissingValues(deps, state, planned, users);
  const result: CommsRunResult = { dryRun: Boolean(opts.dryRun), planned, sent: 0, duplicate: 0, failed: [], byTemplate: {}, notInAudience };
  if (opts.dryRun || planned.length === 0) return result;

  let next = 0;
  const worker = async () => {
    while (next < planned.length) {
      const send = planned[next++]!;
      const counts = (result.byTemplate[send.template] ??= { sent: 0, duplicate: 0, failed: 0 });
      try {
        const status = await deliver(deps, state, send, users.get(send.userId)!);
        if (status === 'sent') { result.sent++; counts.sent++; } else { result.duplicate++; counts.duplicate++; }
      } catch (error) {
        if (!(error instanceof MailError)) throw error;
        result.failed.push({ userId: send.userId, template: send.template, code: error.code, message: error.message });
        counts.failed++;
      }
      opts.onProgress?.(result.sent + result.duplicate, result.failed.length, planned.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 4, planned.length)) }, worker));
  } finally {
    await auditRun(deps, subscriptionId, selection, result);
  }
  return result;
}

async function deliver(deps: CommsDeps, state: CommsState, send: DueSend, user: CommsRecipient): Promise<'sent' | 'duplicate'> {
  const link = LINK_TEMPLATES.has(send.template)
    ? await deps.links.issue({ sendKey: send.key, subscriptionId: state.migration.subscriptionId, userId: user.userId, email: user.email })
    : undefined;
  const mail = composeMail(deps.templates[send.template], mailValues(state, mailContext(deps), user, link));
  const r = await deps.mailer.send({ to: user.email, subject: mail.subject, text: mail.text, html: mail.html, key: `comms:${send.key}` });
  await recordSend(deps.db, { key: send.key, subscriptionId: state.migration.subscriptionId, userId: user.userId, template: send.template, status: r.status, at: deps.now().toISOString() });
  return r.status;
}

/** Every mail links the subscription's help page, on the server the verification links point at. */
function mailContext(deps: CommsDeps): MailContext {
  return { ...deps.context, baseUrl: deps.context.baseUrl ?? deps.links.baseUrl };
}

/** Values every mail of a template needs (a product URL, a date) are checked once, before anything is sent. */
function refuseMissingValues(deps: CommsDeps, state: CommsState, planned: DueSend[], users: Map<string, CommsRecipient>): void {
  const problems: string[] = [];
  for (const template of new Set(planned.map((s) => s.template))) {
    const sample = users.get(planned.find((s) => s.template === template)!.userId)!;
    const link = LINK_TEMPLATES.has(template) ? { url: 'https://example.invalid/verify-email', expiresAt: deps.now().toISOString() } : undefined;
    const missing = composeMail(deps.templates[template], mailValues(state, mailContext(deps), sample, link)).missing;
    if (missing.length > 0) problems.push(`${template} needs ${missing.map((p) => `{{${p}}}`).join(', ')}: ${missing.map(howToSet).join('; ')}`);
  }
  if (problems.length > 0) throw new CommsError('placeholder_missing', `nothing was sent: ${problems.join('. ')}`);
}

function howToSet(p: PlaceholderName): string {
  switch (p) {
    case 'product_url': return 'set comms.productUrl (REHOME_PRODUCT_URL)';
    case 'migration_date': case 'migration_start': return 'schedule the migration first (rehome schedule)';
    case 'window_ends': return 'the window starts when the migration is scheduled (rehome schedule)';
    default: return `${p} has no value for some users`;
  }
}

async function auditRun(deps: CommsDeps, subscriptionId: string, selection: CommsSelection, result: CommsRunResult): Promise<void> {
  const db = migrationDb(deps.db);
  const at = deps.now().toISOString();
  for (const [template, counts] of Object.entries(result.byTemplate)) {
    await auditIn(db, { at, actor: deps.actor, action: 'comms:sent', subscriptionId, target: template, details: { template, mode: selection.kind, ...counts, failedCodes: [...new Set(result.failed.filter((f) => f.template === template).map((f) => f.code))] } });
  }
}
