import type { Command, CommandContext } from './command.ts';
import { STORE_OPTIONS, storeFlags, stringList } from './command.ts';
import { isTemplateName, TEMPLATE_NAMES, type TemplateName } from '../../core/comms/templates.ts';
import { commsSettingsOf } from '../../comms/comms-settings.ts';
import { previewComms } from '../../comms/preview-comms.ts';
import { sendComms, type CommsRunResult, type CommsSelection } from '../../comms/send-comms.ts';
import { CommsError } from '../../comms/comms-error.ts';
import { createProgressBar } from '../progress-bar.ts';
import { CliError } from '../cli-error.ts';
import { composeRehome } from '../../app/compose.ts';

export const commsCommand: Command = {
  summary: 'The communication plan: preview, send what is due, (re)send verification links',
  help: `rehome comms preview --subscription ID --template NAME [--user ID] [--html]
                                             print one rendered mail; nothing is sent or issued
rehome comms send --subscription ID (--due | --template NAME [--users a,b]) [--dry-run] [--concurrency N]
                                             send what the schedule says is due now, or one template to its audience
rehome comms verify --subscription ID [--users a,b]
                                             send verification links to unverified users (the console's "Verify Email")

Templates: ${TEMPLATE_NAMES.join(', ')}. Every mail has a key, so a run repeated after an
interruption mails nobody twice. Edit templates by copying them into comms.templatesDir (docs/communications.md).`,
  options: {
    subscription: { type: 'string' }, template: { type: 'string' }, user: { type: 'string' }, users: { type: 'string', multiple: true },
    due: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, html: { type: 'boolean' }, concurrency: { type: 'string' }, ...STORE_OPTIONS,
  },
  positionals: true,
  configFlags: storeFlags,
  async run(ctx) {
    const [sub, ...extra] = ctx.positionals;
    if (extra.length > 0) throw new CliError('usage', `unexpected arguments: ${extra.join(' ')}`);
    if (!ctx.values.subscription) throw new CliError('usage', '--subscription ID is required');
    try {
      switch (sub) {
        case 'preview': return await preview(ctx);
        case 'send': return await send(ctx);
        case 'verify': return await verify(ctx);
        default: throw new CliError('usage', `say what to do: rehome comms preview|send|verify (got ${sub ?? 'nothing'})`);
      }
    } catch (e) {
      if (e instanceof CommsError) throw new CliError('usage', `${e.message} (${e.code})`);
      throw e;
    }
  },
};

function templateOf(values: CommandContext['values'], required: boolean): TemplateName | undefined {
  const t = values.template as string | undefined;
  if (t === undefined) {
    if (required) throw new CliError('usage', `--template NAME is required (${TEMPLATE_NAMES.join(', ')})`);
    return undefined;
  }
  if (!isTemplateName(t)) throw new CliError('usage', `unknown template ${t}: use one of ${TEMPLATE_NAMES.join(', ')}`);
  return t;
}

const idList = (v: unknown) => stringList(v).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);

async function preview({ values, config, io }: CommandContext): Promise<number> {
  const template = templateOf(values, true)!;
  await using app = await composeRehome(config, { now: io.now });
  const deps = app.comms(io.actor);
  const p = await previewComms({ db: app.store.kysely, templates: deps.templates, context: deps.context, baseUrl: app.baseUrl, linkTtlHours: commsSettingsOf(config).linkTtlHours, now: io.now }, String(values.subscription), template, values.user as string | undefined);
  if (values.html) {
    io.out(p.html ?? '(this template has no HTML part)\n');
  } else {
    io.out(`Template: ${template} (${p.source})\nTo: ${p.to}${p.userId ? ` (user ${p.userId})` : ' (sample person: nobody in the audience yet)'}\nSubject: ${p.subject}\n\n${p.text}`);
    if (p.html) io.out('\n(an HTML part goes with it: --html prints it)\n');
  }
  if (p.missing.length > 0) io.err(`warning: ${p.missing.map((m) => `{{${m}}}`).join(', ')} has no value; sending this template would be refused\n`);
  return 0;
}

async function send(ctx: CommandContext): Promise<number> {
  const { values } = ctx;
  const template = templateOf(values, false);
  if (Boolean(values.due) === Boolean(template)) throw new CliError('usage', 'give either --due (what the schedule says now) or --template NAME');
  const userIds = idList(values.users);
  const selection: CommsSelection = template ? { kind: 'template', template, ...(userIds.length ? { userIds } : {}) } : { kind: 'due' };
  return runSends(ctx, selection);
}

async function verify(ctx: CommandContext): Promise<number> {
  const userIds = idList(ctx.values.users);
  return runSends(ctx, { kind: 'template', template: 'verification', ...(userIds.length ? { userIds } : {}) });
}

async function runSends({ values, config, io }: CommandContext, selection: CommsSelection): Promise<number> {
  const subscriptionId = String(values.subscription);
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new CliError('usage', '--concurrency must be a whole number from 1 to 64');
  await using app = await composeRehome(config, { now: io.now });
  const bar = createProgressBar('mailing', io.err, io.isTTY);
  const r = await sendComms(app.comms(io.actor), subscriptionId, selection, { dryRun: Boolean(values['dry-run']), concurrency, onProgress: (d, f, t) => bar.update(d, f, t) });
  bar.end();
  io.out(describeRun(subscriptionId, r));
  return r.failed.length > 0 || r.notInAudience.length > 0 ? 3 : 0;
}

export function describeRun(subscriptionId: string, r: CommsRunResult): string {
  const lines: string[] = [];
  if (r.dryRun) {
    const per = new Map<string, number>();
    for (const s of r.planned) per.set(s.template, (per.get(s.template) ?? 0) + 1);
    lines.push(`dry run: nothing sent. ${r.planned.length} mail(s) would go out for ${subscriptionId}${per.size ? ':' : ''}`);
    for (const [t, n] of per) lines.push(`  ${t.padEnd(22)} ${n}`);
  } else if (r.planned.length === 0) {
    lines.push(`nothing to send for ${subscriptionId} right now`);
  } else {
    lines.push(`${subscriptionId}: sent ${r.sent}, already sent before ${r.duplicate}, failed ${r.failed.length}`);
    for (const [t, c] of Object.entries(r.byTemplate)) lines.push(`  ${t.padEnd(22)} sent ${c.sent}, duplicate ${c.duplicate}, failed ${c.failed}`);
    for (const f of r.failed.slice(0, 20)) lines.push(`  failed: user ${f.userId} (${f.template}): ${f.code}`);
    if (r.failed.length > 20) lines.push(`  ... and ${r.failed.length - 20} more; run the same command again to retry them`);
  }
  if (r.notInAudience.length > 0) lines.push(`not sent to ${r.notInAudience.length} requested user(s) outside the audience (already verified, API-only, skipped or unknown): ${r.notInAudience.slice(0, 20).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
