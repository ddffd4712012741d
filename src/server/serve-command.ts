import { STORE_OPTIONS, storeFlags, type Command } from '../app/command.ts';
import { createBootstrapLink } from '../console/bootstrap.ts';
import { ConsoleError } from '../console/console-error.ts';
import { startRehomeServer } from './rehome-server.ts';

export const serveCommand: Command = {
  summary: 'Run the server: the embedded IMS (OpenID Connect, accounts, SCIM 2.0, Admin API), the console, redirects',
  help: `rehome serve [--host 127.0.0.1] [--port 4000] [--dev-outbox]

Serves the embedded IMS at <url>/ims (discovery: <url>/ims/.well-known/openid-configuration), SCIM 2.0 at
<url>/scim/v2, the Admin API at <url>/ims/admin/v1, the migration console at <url>/console/ (admins sign in through
the IMS; the first admin of a subscription with a one-time link), /verify-email and Prometheus metrics at
<url>/metrics. Parts the configuration leaves out are named at start, with the option that sets them. Between the
banner and the stop messages, stdout is a JSON log (a line per request, with its request id;
server.logLevel). Stops cleanly on Ctrl-C. See docs/ims.md and docs/operations.md.`,
  options: { host: { type: 'string' }, port: { type: 'string' }, 'dev-outbox': { type: 'boolean' }, ...STORE_OPTIONS },
  configFlags: (v) => ({ ...storeFlags(v), 'server.host': v.host as string | undefined, 'server.port': v.port as string | undefined, 'ims.devOutbox': v['dev-outbox'] as boolean | undefined }),
  async run(ctx) {
    const { config, io } = ctx;
    const server = await startRehomeServer({ config, now: io.now });
    const { app } = server;
    await app.store.appendAudit({ at: io.now().toISOString(), actor: io.actor, action: 'server:started', details: { url: server.url } });
    io.out(`Rehome is serving on ${server.url}\n`);
    io.out(`  IMS issuer      ${app.baseUrl}/ims   (discovery: ${app.baseUrl}/ims/.well-known/openid-configuration)\n`);
    io.out(`  sign up         ${app.baseUrl}/ims/account/signup\n`);
    io.out(`  SCIM 2.0        ${app.baseUrl}/scim/v2\n`);
    io.out(`  console         ${app.baseUrl}/console/   (admins sign in through the IMS)\n`);
    // Before any admin has migrated, the first admin of a subscription gets in with a one-time link.
    for (const { id } of await app.store.kysely.selectFrom('subscriptions').select('id').execute()) {
      try {
        const link = await createBootstrapLink(app.store, id);
        io.out(`  first admin of ${id} (one use, until ${link.expiresAt}): ${app.baseUrl}${link.path}\n`);
      } catch (e) {
        if (!(e instanceof ConsoleError && e.code === 'bootstrap_not_needed')) throw e;
      }
    }
    if (config.ims.devOutbox) io.out(`  mail outbox     ${app.baseUrl}/ims/dev/outbox\n`);
    io.out(`  metrics         ${app.baseUrl}/metrics   (${config.server.metricsToken ? 'bearer token: server.metricsToken' : 'open to whoever reaches the port: set server.metricsToken to require a token'})\n`);
    app.log.info({ baseUrl: app.baseUrl }, 'server started');
    // Say what is not set up instead of silently doing less (the console and the CLI act the same either way).
    for (const gap of app.gaps()) io.err(`note: not set: ${gap.option}; ${gap.consequence}\n`);
    io.out('Press Ctrl-C to stop.\n');
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    io.out('\nstopping…\n');
    await server.close();
    app.log.info({}, 'server stopped');
    io.out('stopped.\n');
    return 0;
  },
};
