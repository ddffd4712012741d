import type { Command } from './command.ts';
import { STORE_OPTIONS, storeFlags } from './command.ts';
import { openConfiguredStore } from '../../app/open-configured-store.ts';
import { serverSecretsOf } from '../../app/server-secrets.ts';
import { startRehomeServer } from '../../server/rehome-server.ts';
import { createBootstrapLink } from '../../console/bootstrap.ts';
import { ConsoleError } from '../../console/console-error.ts';

export const serveCommand: Command = {
  summary: 'Run the server: the embedded IMS (OpenID Connect, accounts, SCIM 2.0, Admin API)',
  help: `rehome serve [--host 127.0.0.1] [--port 4000] [--dev-outbox]

Serves the embedded IMS at <url>/ims (discovery: <url>/ims/.well-known/openid-configuration), SCIM 2.0 at
<url>/scim/v2 and the Admin API at <url>/ims/admin/v1. Stops cleanly on Ctrl-C. See docs/ims.md.`,
  options: { host: { type: 'string' }, port: { type: 'string' }, 'dev-outbox': { type: 'boolean' }, ...STORE_OPTIONS },
  configFlags: (v) => ({ ...storeFlags(v), 'server.host': v.host as string | undefined, 'server.port': v.port as string | undefined, 'ims.devOutbox': v['dev-outbox'] as boolean | undefined }),
  async run(ctx) {
    const { config, io } = ctx;
    const secrets = serverSecretsOf(config);
    const store = await openConfiguredStore(config);
    const server = await startRehomeServer({ config, store, secrets });
    await store.appendAudit({ at: io.now().toISOString(), actor: io.actor, action: 'server:started', details: { url: server.url } });
    io.out(`Rehome is serving on ${server.url}\n`);
    io.out(`  IMS issuer      ${server.url}/ims   (discovery: ${server.url}/ims/.well-known/openid-configuration)\n`);
    io.out(`  sign up         ${server.url}/ims/account/signup\n`);
    io.out(`  SCIM 2.0        ${server.url}/scim/v2\n`);
    io.out(`  console         ${server.url}/console/\n`);
    // Before any admin has migrated, the first admin of a subscription gets in with a one-time link.
    for (const { id } of await store.kysely.selectFrom('subscriptions').select('id').execute()) {
      try {
        const link = await createBootstrapLink(store, id);
        io.out(`  first admin of ${id} (one use, until ${link.expiresAt}): ${server.url}${link.path}\n`);
      } catch (e) {
        if (!(e instanceof ConsoleError && e.code === 'bootstrap_not_needed')) throw e;
      }
    }
    if (config.ims.devOutbox) io.out(`  mail outbox     ${server.url}/ims/dev/outbox\n`);
    io.out('Press Ctrl-C to stop.\n');
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    io.out('\nstopping…\n');
    await server.close();
    await store[Symbol.asyncDispose]();
    io.out('stopped.\n');
    return 0;
  },
};
