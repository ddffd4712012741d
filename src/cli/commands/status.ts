import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { composeRehome } from '../../app/compose.ts';
import { migrationStatus } from '../../app/actions/index.ts';
import { CliError } from '../cli-error.ts';

export const statusCommand: Command = {
  summary: 'Where a migration stands: both progress figures, users per state, errors by code',
  help: 'rehome status --subscription ID [--format table|json]',
  options: { subscription: { type: 'string' }, format: { type: 'string' }, ...STORE_OPTIONS },
  configFlags: storeFlags,
  async run({ values, config, io }) {
    if (!values.subscription) throw new CliError('usage', '--subscription ID is required');
    await using app = await composeRehome(config, { now: io.now });
    const status = await migrationStatus(app, String(values.subscription));
    const { progress, byState, errors } = status;
    const m = { subscription_id: status.subscriptionId, state: status.state, mode: status.mode, migration_date: status.migrationDate, window_expires_at: status.windowExpiresAt, extensions: status.extensions };
    if (values.format === 'json') { io.out(`${JSON.stringify(status, null, 2)}\n`); return 0; }
    const bar = (p: number) => `[${'#'.repeat(Math.round(p / 5)).padEnd(20, '-')}] ${p.toFixed(1)}%`;
    const lines = [
      `${m.subscription_id}: ${m.state} (${m.mode})${m.migration_date ? `, user migration date ${m.migration_date}` : ''}${m.window_expires_at ? `, window until ${m.window_expires_at.slice(0, 10)} (extended ${m.extensions}x)` : ''}`,
      `  email verification  ${bar(progress.verification.percent)}  ${progress.verification.verified}/${progress.verification.of} verified, ${progress.skipped} skipped`,
      `  user migration      ${bar(progress.migration.percent)}  ${progress.migration.done}/${progress.migration.of} migrated or skipped`,
      `  users by state: ${Object.entries(byState).map(([s, c]) => `${s} ${c}`).join(', ')}`,
    ];
    if (errors.length > 0) {
      lines.push('  failures by code:');
      for (const e of errors) lines.push(`    ${e.code.padEnd(24)} ${String(e.count).padStart(6)}  e.g. ${e.example}`);
    }
    io.out(`${lines.join('\n')}\n`);
    return 0;
  },
};
