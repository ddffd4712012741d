import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { scheduleMigration, extendMigration } from '../../engine/admin-actions.ts';
import { openConfiguredStore } from '../../app/open-configured-store.ts';
import { scheduleRulesOf } from '../../app/engine-from-config.ts';
import { CliError } from '../cli-error.ts';

export const scheduleCommand: Command = {
  summary: 'Set or move the user-migration date (8-30 days ahead, midnight in the subscription time zone)',
  help: 'rehome schedule --subscription ID --date YYYY-MM-DD\n\nEditable until it locks (48 hours before by default). Prerequisites (SSO, consent) must be met.',
  options: { subscription: { type: 'string' }, date: { type: 'string' }, ...STORE_OPTIONS },
  configFlags: storeFlags,
  async run({ values, config, io }) {
    if (!values.subscription || !values.date) throw new CliError('usage', '--subscription ID and --date YYYY-MM-DD are required');
    await using store = await openConfiguredStore(config);
    const m = await scheduleMigration({ db: store.kysely, now: io.now, actor: io.actor }, String(values.subscription), String(values.date), scheduleRulesOf(config));
    io.out(`user migration of ${m.subscription_id} starts ${m.migration_date} (${m.starts_at}); self-service window until ${m.window_expires_at}\n`);
    return 0;
  },
};

export const extendCommand: Command = {
  summary: 'Extend the self-service window by a week (at most 3 times)',
  help: 'rehome extend --subscription ID',
  options: { subscription: { type: 'string' }, ...STORE_OPTIONS },
  configFlags: storeFlags,
  async run({ values, config, io }) {
    if (!values.subscription) throw new CliError('usage', '--subscription ID is required');
    await using store = await openConfiguredStore(config);
    const rules = scheduleRulesOf(config);
    const m = await extendMigration({ db: store.kysely, now: io.now, actor: io.actor }, String(values.subscription), rules);
    io.out(`window of ${m.subscription_id} now ends ${m.window_expires_at} (extension ${m.extensions} of ${rules.maxExtensions})\n`);
    return 0;
  },
};
