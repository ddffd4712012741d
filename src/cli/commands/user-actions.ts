import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags, stringList } from './command.ts';
import { composeRehome } from '../../app/compose.ts';
import { changeUsers, confirmMigration, rollbackMigration } from '../../app/actions/index.ts';
import { CliError } from '../cli-error.ts';

function userActionCommand(action: 'skip' | 'unskip' | 'retry', summary: string): Command {
  return {
    summary,
    help: `rehome ${action} --subscription ID (--users ID[,ID...] | --state STATE[,STATE...])${action === 'skip' ? ' --reason TEXT [--confirm-admins]' : ''}

--state selects every user of the subscription in those states (e.g. needs_email_verification,blocked).${action === 'skip' ? `
Admins migrate first: the others wait until every admin is migrated or skipped. Skipping an admin is refused
unless --confirm-admins confirms it a second time (a skipped admin loses access when the migration is confirmed).` : ''}`,
    options: { subscription: { type: 'string' }, users: { type: 'string', multiple: true }, state: { type: 'string' }, reason: { type: 'string' }, 'confirm-admins': { type: 'boolean' }, ...STORE_OPTIONS },
    configFlags: storeFlags,
    async run({ values, config, io }) {
      const ids = stringList(values.users).flatMap((x) => x.split(',')).filter(Boolean);
      const states = values.state ? String(values.state).split(',').map((x) => x.trim()).filter(Boolean) : [];
      if (!values.subscription || (ids.length === 0 && states.length === 0)) throw new CliError('usage', '--subscription ID and --users ID[,ID...] or --state STATE are required');
      await using app = await composeRehome(config, { now: io.now });
      const r = await changeUsers(app, { subscriptionId: String(values.subscription), actor: io.actor, action, userIds: ids, states, confirmAdmins: Boolean(values['confirm-admins']), ...(values.reason !== undefined ? { reason: String(values.reason) } : {}) });
      io.out(`${action}: ${r.changed.length} changed${r.refused.length ? `, ${r.refused.length} refused` : ''}\n`);
      for (const x of r.refused) io.out(`  ${x.userId}: ${x.message}\n`);
      return r.refused.length > 0 ? 3 : 0;
    },
  };
}

export const skipCommand = userActionCommand('skip', 'Skip users (with a reason): they lose access when the migration completes');
export const unskipCommand = userActionCommand('unskip', 'Undo a skip: the user is back to their real verification state');
export const retryCommand = userActionCommand('retry', 'Make failed users eligible again (then rehome migrate)');

export const confirmCommand: Command = {
  summary: 'Confirm the completed migration (every user migrated or skipped)',
  help: 'rehome confirm --subscription ID --yes\n\nConfirmation ends the migration: skipped users lose access. Without --yes it only explains.',
  options: { subscription: { type: 'string' }, yes: { type: 'boolean' }, ...STORE_OPTIONS },
  configFlags: storeFlags,
  async run({ values, config, io }) {
    if (!values.subscription) throw new CliError('usage', '--subscription ID is required');
    await using app = await composeRehome(config, { now: io.now });
    const { migration: m, productTold } = await confirmMigration(app, { subscriptionId: String(values.subscription), actor: io.actor, acknowledgeSkippedLoseAccess: Boolean(values.yes) });
    // The product now manages only roles, workspaces and API-only users; user management moved to the IMS.
    if (productTold) io.out('the product was told: user management for this subscription now lives in the IMS\n');
    io.out(`subscription ${m.subscription_id} confirmed; next: support tickets (rehome tickets --subscription ${m.subscription_id} --file tickets.jsonl)\n`);
    return 0;
  },
};

export const rollbackCommand: Command = {
  summary: 'Roll back before confirmation: unlink what was linked, restore product login',
  help: 'rehome rollback --subscription ID [--force]\n\nTouching more than 200 users or 10% of the subscription needs --force. Other subscriptions are untouched.',
  options: { subscription: { type: 'string' }, force: { type: 'boolean' }, ...STORE_OPTIONS },
  configFlags: storeFlags,
  async run({ values, config, io }) {
    if (!values.subscription) throw new CliError('usage', '--subscription ID is required');
    await using app = await composeRehome(config, { now: io.now });
    const r = await rollbackMigration(app, { subscriptionId: String(values.subscription), actor: io.actor, force: Boolean(values.force) });
    io.out(`rolled back ${r.rolledBack} users of ${values.subscription}; they sign in to the product as before\n`);
    return 0;
  },
};
