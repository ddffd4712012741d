import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { computeProgress } from '../../core/migration/progress.ts';
import { countUsersByState, errorsByCode, migrationDb, requireMigration } from '../../engine/migration-repo.ts';
import { openConfiguredStore } from '../../app/open-configured-store.ts';
import { CliError } from '../cli-error.ts';

export const statusCommand: Command = {
  summary: 'Where a migration stands: both progress figures, users per state, errors by code',
  help: 'rehome status --subscription ID [--format table|json]',
  options: { subscription: { type: 'string' }, format: { type: 'string' }, ...STORE_OPTIONS },
  configFlags: storeFlags,
  async run({ values, config, io }) {
    if (!values.subscription) throw new CliError('usage', '--subscription ID is required');
    await using store = await openConfiguredStore(config);
    const db = migrationDb(store.kysely);
    const m = await requireMigration(db, String(values.subscription));
    const byState = await countUsersByState(db, m.subscription_id);
    const progress = computeProgress(byState);
    const errors = await errorsByCode(db, m.subscription_id);
    const status = {
      subscriptionId: m.subscription_id, state: m.state, mode: m.mode, orgId: m.org_id, profileId: m.profile_id,
      migrationDate: m.migration_date, startsAt: m.starts_at, windowExpiresAt: m.window_expires_at, extensions: m.extensions,
      progress, byState, errors,
    };
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
