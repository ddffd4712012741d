import { changeUsers, linkProduct, migrateUsers, planSubscription, scheduleUserMigration, type MigrateUsersResult } from '../app/actions/index.ts';
import { composeRehome } from '../app/compose.ts';
import type { MigrationPlan } from '../core/migration/plan.ts';
import { addDays, localDate } from '../core/migration/schedule.ts';
import type { DemoStack } from './demo-stack.ts';

export interface DemoMigrationResult {
  plan: MigrationPlan;
  users: MigrateUsersResult;
}

/**
 * Runs the migration of the demo subscription for real, through the application functions the CLI and the console
 * call (`rehome plan`, `migrate --plan --consent`, `schedule`, `migrate --subscription`), on the running server's
 * app: each user's link and cutover go through Engage's REST API and invitations go to the IMS outbox. Safe to run
 * again (the engine resumes; nobody is migrated twice). Admins go first: an admin who cannot move is skipped with the
 * second confirmation, as the console asks for it.
 */
export async function runDemoMigration(stack: DemoStack, options: { now?: Date } = {}): Promise<DemoMigrationResult> {
  // The running server's app; at a fixed instant when one is given (the schedule rules count days from "now"), the
  // same composition on the same store with that clock.
  const fixed = options.now;
  const app = fixed ? await composeRehome(stack.config, { store: stack.store, baseUrl: stack.rehome.url, now: () => fixed }) : stack.rehome.app;
  const now = app.now();
  const subscriptionId = stack.logins.subscriptionId;
  const actor = 'demo:migration';
  const plan = await planSubscription(app, subscriptionId);
  const linked = await linkProduct(app, { subscriptionId, plan, consent: true, actor });
  // A second run finds it scheduled or further along: the user phase below resumes.
  if (linked.state === 'product_linked') {
    await scheduleUserMigration(app, { subscriptionId, date: addDays(localDate(now, plan.timeZone), app.config.migration.minDaysAhead), actor });
  }
  try {
    let users = await migrateUsers(app, { subscriptionId, actor });
    if (users.heldForAdmins) {
      // Admins first: an admin who cannot move (unverified) holds everyone else. The demo's admin decides as a real
      // one would in the console: skip that admin, confirmed a second time, then migrate the others.
      const waiting = plan.users.filter((u) => u.admin && !['link', 'create', 'invite'].includes(u.action)).map((u) => u.userId);
      await changeUsers(app, { subscriptionId, actor, action: 'skip', userIds: waiting, reason: 'the demo: no verified address before the move', confirmAdmins: true });
      const rest = await migrateUsers(app, { subscriptionId, actor });
      users = { ...rest, attempted: users.attempted + rest.attempted, migrated: users.migrated + rest.migrated, failed: users.failed + rest.failed };
    }
    return { plan, users };
  } finally {
    if (fixed) await app.close();
  }
}
