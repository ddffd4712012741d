import type { RehomeConfig } from '../config/config.ts';
import { consoleClientRegistration } from '../console/console-client.ts';
import { imsConfigFrom } from '../app/ims-config-from.ts';
import { createRestPasswordVerifier } from '../adapters/product/rest/rest-password-verifier.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import { startServer, type RunningServer } from './http-server.ts';
import { mountedHandlers } from './mounted-handlers.ts';

/** Rehome's server from the validated config: the embedded IMS plus every mounted part (SCIM, Admin API, console...). */
export async function startRehomeServer(opts: { config: RehomeConfig; store: StoreAdapter; secrets: { cookieKeys: string[]; linkSecret: string }; port?: number }): Promise<RunningServer> {
  const { config, store, secrets } = opts;
  const closers: (() => Promise<void>)[] = [];
  const server = await startServer({
    host: config.server.host,
    port: opts.port ?? config.server.port,
    store,
    // The migration console signs admins in through the IMS as a first-party client.
    config: (url) => imsConfigFrom(config, secrets, url, [consoleClientRegistration(config.server.publicUrl ?? url, secrets.linkSecret)]),
    // Lazy password migration asks the product (its Rehome API) at a person's first IMS sign-in.
    ...(config.product.url ? { legacyPasswords: createRestPasswordVerifier({ baseUrl: config.product.url, token: config.product.token! }) } : {}),
    handlers: mountedHandlers(store, config, (close) => closers.push(close)),
  });
  return {
    ...server,
    async close() {
      // Background console runs stop (and finish the user they hold) before the server and the store go away.
      for (const close of closers) await close();
      await server.close();
    },
  };
}
