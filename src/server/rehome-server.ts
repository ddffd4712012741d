import { loggedHandler } from '../http/access-log.ts';
import { createHandlerServer } from '../http/handler-server.ts';
import type { AddressInfo } from 'node:net';
import { composeRehome, type ComposeOptions, type RehomeApp } from '../app/compose.ts';
import type { LogDestination } from '../app/logger.ts';
import type { StoreAdapter } from '../app/rehome-store.ts';
import type { RehomeConfig } from '../config/config.ts';
import type { ConsoleHandler } from '../console/console-handler.ts';
import type { EmbeddedIms } from '../ims/embedded-ims.ts';
import { mountedHandlers } from './mounted-handlers.ts';

export interface RehomeServerOptions {
  /** The validated config, or a function of the bound URL (`http://host:port`, for port 0) that returns it. */
  config: RehomeConfig | ((url: string) => RehomeConfig);
  /** Default: the config's `server.host` / `server.port` (required when `config` is a function). */
  host?: string;
  port?: number;
  /** A store opened elsewhere (tests, the demo); default: the one the config names, closed with the server. */
  store?: StoreAdapter;
  now?: () => Date;
  /** Fault injection for tests (composeRehome's `wrapPorts`). */
  wrapPorts?: ComposeOptions['wrapPorts'];
  /** How often the console's live view re-reads the database (tests). */
  pollMs?: number;
  /** Where the JSON log goes (default stdout). */
  logTo?: LogDestination;
}

export interface RehomeServer extends AsyncDisposable {
  /** `http://host:port`. */
  url: string;
  /** The one composed app every mounted part uses. */
  app: RehomeApp;
  ims: EmbeddedIms;
  console: ConsoleHandler;
  close(): Promise<void>;
}

/**
 * `rehome serve` and `npm start`: binds, composes Rehome once from the config (at the bound URL), and mounts the
 * embedded IMS (OIDC, accounts, SSO), SCIM 2.0 and the Admin API, the migration console, /verify-email, /metrics and
 * the redirect service, all over that one app. Anything unanswered is a 404.
 */
export async function startRehomeServer(options: RehomeServerOptions): Promise<RehomeServer> {
  const staticConfig = typeof options.config === 'function' ? undefined : options.config;
  const host = options.host ?? staticConfig?.server.host ?? '127.0.0.1';
  const port = options.port ?? staticConfig?.server.port ?? 0;
  const { server, mount } = createHandlerServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  const closeSocket = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  let app: RehomeApp | undefined;
  try {
    const config = typeof options.config === 'function' ? options.config(url) : options.config;
    app = await composeRehome(config, { baseUrl: url, ...(options.store ? { store: options.store } : {}), ...(options.now ? { now: options.now } : {}), ...(options.wrapPorts ? { wrapPorts: options.wrapPorts } : {}), ...(options.logTo ? { logTo: options.logTo } : {}) });
    const ims = await app.ims();
    const parts = mountedHandlers(app, ims, options.pollMs ? { pollMs: options.pollMs } : {});
    // Every request in a scope of its own: a request id in the response and on every log line, one access line,
    // and the HTTP metrics (src/http/access-log.ts).
    const { metrics, log } = app;
    mount([loggedHandler([parts.provisioning, ims.handler, ...parts.handlers], { log, onAnswered: (answered) => metrics.httpRequest(answered) })]);
    const running = app;
    const close = async () => {
      // Background console runs stop (and finish the user they hold) before the server and the store go away.
      await parts.console.close();
      await closeSocket();
      await running.close();
    };
    return { url, app: running, ims, console: parts.console, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await closeSocket();
    await app?.close();
    throw error;
  }
}
