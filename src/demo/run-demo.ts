import { parseArgs } from 'node:util';
import { addDays, localDate } from '../core/migration/schedule.ts';
import { demoReadinessSummary, renderDemoBanner } from './demo-banner.ts';
import { createBootstrapLink } from '../console/bootstrap.ts';
import { ConsoleError } from '../console/console-error.ts';
import { runDemoMigration } from './demo-migration.ts';
import { DEMO_BRAND, startDemoStack, type DemoStack } from './demo-stack.ts';

const HELP = `npm start [-- --fresh] [--migrate] [--rehome-port 4000] [--engage-port 4100] [--users 300] [--dir .rehome/demo]

Starts Rehome's server (embedded IMS, SCIM, Admin API, console, redirect service) and Engage, the reference
product, seeded with subscription 123-ABC-456; prints the URLs, demo sign-ins and the next commands.
  --fresh     delete the demo state first (Engage's database, Rehome's store, the IMS)
  --migrate   also run the whole migration now (plan, phase 1, schedule, every user; invitations go to the outbox)`;

/** `npm start`: runs until SIGINT/SIGTERM, then closes every server; returns the exit code. */
export async function runDemo(argv: string[], signal: { wait(): Promise<void> } = processSignals()): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      fresh: { type: 'boolean' }, migrate: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      'rehome-port': { type: 'string', default: '4000' }, 'engage-port': { type: 'string', default: '4100' },
      users: { type: 'string', default: '300' }, dir: { type: 'string', default: '.rehome/demo' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const started = Date.now();
  let stack;
  try {
    stack = await startDemoStack({ dir: values.dir, fresh: Boolean(values.fresh), rehomePort: Number(values['rehome-port']), engagePort: Number(values['engage-port']), users: Number(values.users) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`npm start: port ${(error as { port?: number }).port} is in use (another npm start?). Stop it, or pick ports: npm start -- --rehome-port 4001 --engage-port 4101`);
      return 2;
    }
    throw error;
  }
  try {
    const consoleMounted = (await fetch(`${stack.rehome.url}/console/`, { redirect: 'manual' }).then((r) => r.status !== 404, () => false));
    const snap = await stack.store.loadSnapshot({ subscriptionId: stack.logins.subscriptionId });
    const scheduleDate = addDays(localDate(new Date(), snap?.subscription.timeZone ?? 'UTC'), 8);
    console.log(renderDemoBanner(stack, { readiness: await demoReadinessSummary(stack), consoleMounted, scheduleDate }));
    if (consoleMounted) console.log(await consoleEntry(stack));
    console.log('Press Ctrl-C to stop.');
    console.log(`(ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (values.migrate) {
      const r = await runDemoMigration(stack);
      console.log(`migration of ${stack.logins.subscriptionId}: ${r.users.migrated} migrated, ${r.users.failed} failed of ${r.users.attempted}; subscription is ${r.users.migration.state}. Invitations: ${stack.rehome.url}/ims/dev/outbox`);
    }
    await signal.wait();
    console.log('\nstopping…');
  } finally {
    await stack.close();
  }
  console.log('stopped.');
  return 0;
}

function processSignals(): { wait(): Promise<void> } {
  return {
    wait: () => new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
  };
}

/** How the demo admin gets into the console: a one-time link before any admin migrated, the IMS after. */
async function consoleEntry(stack: DemoStack): Promise<string> {
  try {
    const link = await createBootstrapLink(stack.store, stack.logins.subscriptionId);
    return `Console, first admin of ${stack.logins.subscriptionId} (one use, until ${link.expiresAt}):\n  ${stack.rehome.url}${link.path}\n  take the subscription from readiness to confirmed in the browser: plan and link, date, migrate, confirm.\n`;
  } catch (e) {
    if (e instanceof ConsoleError && e.code === 'bootstrap_not_needed') return `Console: admins have migrated; sign in at ${stack.rehome.url}/console/ with "${DEMO_BRAND}".\n`;
    throw e;
  }
}
