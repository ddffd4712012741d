import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { composeRehome } from '../../app/compose.ts';
import { extendWindow, scheduleUserMigration } from '../../app/actions/index.ts';
import { CliError } from '../cli-error.ts';

export const scheduleCommand: Command = {
  summary: 'Set or move the user-migration date (8-30 days ahead, midnight in the subscription time zone)',
  help: 'rehome schedule --subscription ID --date YYYY-MM-DD\n\nEditable until it locks (48 hours before by default). Prerequisites (SSO, consent) must be met.',
  options: { subscription: { type: 'string' }, date: { type: 'string' }, ...STORE_OPTIONS },
  configFlags: storeFlags,
  async run({ values, config, io }) {
    if (!values.subscription || !values.date) throw new CliError('usage', '--subscription ID and --date YYYY-MM-DD are required');
    await using app = await composeRehome(config, { now: io.now });
    const m = await scheduleUserMigration(app, { subscriptionId: String(values.subscription), date: String(values.date), actor: io.actor });
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
    await using app = await composeRehome(config, { now: io.now });
    const m = await extendWindow(app, { subscriptionId: String(values.subscription), actor: io.actor });
    io.out(`window of ${m.subscription_id} now ends ${m.window_expires_at} (extension ${m.extensions} of ${app.scheduleRules.maxExtensions})\n`);
    return 0;
  },
};
