import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { NOT_MIGRATED_REASONS } from '../../core/tickets/plan-tickets.ts';
import type { TicketMigrationReport } from '../../tickets/migrate-tickets.ts';
import { composeRehome } from '../../app/compose.ts';
import { moveSupportTickets, readSupportTickets } from '../../app/actions/phase-three.ts';
import { createProgressBar } from '../progress-bar.ts';
import { CliError } from '../cli-error.ts';

export const ticketsCommand: Command = {
  summary: 'Phase 3: move the support tickets to the IMS side, re-attributed, and reconcile the counts',
  help: `rehome tickets --subscription ID --file tickets.jsonl|tickets.csv [--dry-run] [--format table|json]

Runs after rehome confirm. Each ticket goes to its submitter's IMS account; tickets of people who did not migrate
(skipped, deactivated, API-only) go to the first migrated subscription admin and are marked admin_fallback.
Nothing is dropped: the report counts tickets in, moved and stored. Safe to repeat and to resume after a crash.
Exit status 0 when the counts reconcile, 3 when they do not, 2 for a bad file (file:line:column) or a refusal.`,
  options: { subscription: { type: 'string' }, file: { type: 'string' }, 'dry-run': { type: 'boolean' }, format: { type: 'string' }, ...STORE_OPTIONS },
  configFlags: storeFlags,
  async run({ values, config, io }) {
    if (!values.subscription || !values.file) throw new CliError('usage', '--subscription ID and --file FILE are required');
    const format = (values.format as string | undefined) ?? 'table';
    if (format !== 'table' && format !== 'json') throw new CliError('usage', `--format must be table or json, not ${format}`);
    const file = String(values.file);
    const { tickets, source } = await readSupportTickets({ file: { path: file } });
    await using app = await composeRehome(config, { now: io.now });
    const bar = createProgressBar('moving tickets', io.err, io.isTTY);
    const report = await moveSupportTickets(app, { subscriptionId: String(values.subscription), tickets, source, dryRun: Boolean(values['dry-run']), actor: io.actor, onBatch: (done, total) => bar.update(done, 0, total) });
    bar.end();
    io.out(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : describeTicketReport(report, file));
    return report.reconciled ? 0 : 3;
  },
};

export function describeTicketReport(r: TicketMigrationReport, file: string): string {
  const c = r.reconciliation;
  const row = (label: string, n: number, note = '') => `  ${label.padEnd(34)}${String(n).padStart(6)}${note ? `  ${note}` : ''}`;
  const admin = r.fallbackAdmin ? `to admin ${r.fallbackAdmin.productUserId}` : '';
  const lines = [
    `${r.dryRun ? 'dry run, nothing is written: ' : ''}support tickets of ${r.subscriptionId} from ${file}: ${r.reconciled ? 'reconciled' : 'NOT reconciled'}`,
    row('tickets in', c.ticketsIn),
    r.dryRun ? row('would move', c.ticketsIn - r.alreadyPresent) : row('moved now', r.moved),
    row('already in the support store', r.alreadyPresent),
    row('stored', r.stored.tickets),
    row('attributed to the submitter', c.bySubmitter),
    row('attributed to an admin (marked *)', c.byAdminFallback, admin),
    ...NOT_MIGRATED_REASONS.filter((reason) => c.byReason[reason]).map((reason) => row(`  submitter ${reason}`, c.byReason[reason]!)),
    `  by status: ${Object.entries(c.byStatus).map(([s, n]) => `${s} ${n}`).join(', ')}`,
    `  messages in ${c.messagesIn}: ${c.messages.author} by their author, ${c.messages.adminFallback} to an admin *, ${c.messages.staff} support staff; stored ${r.stored.messages}`,
  ];
  if (r.fallbacks.length > 0) {
    lines.push('* marked admin_fallback (the submitter did not migrate):');
    for (const f of [...r.fallbacks].sort((a, b) => a.ticketId.localeCompare(b.ticketId))) lines.push(`  ${f.ticketId.padEnd(14)} submitter ${f.originalSubmitterUserId} (${f.reason}) -> admin ${f.attributedToUserId}`);
  }
  lines.push(r.dryRun ? `subscription ${r.subscriptionId} stays ${r.state}` : `subscription ${r.subscriptionId}: ${r.state}`);
  if (!r.reconciled) lines.push('the counts do not match: run the command again (it resumes); rehome status shows the subscription');
  return `${lines.join('\n')}\n`;
}
