import { createHandlerServer } from '../http/handler-server.ts';
import type { AddressInfo } from 'node:net';
import { createEmbeddedIms, type EmbeddedIms } from '../ims/embedded-ims.ts';
import type { ImsConfig } from '../ims/ims-config.ts';
import type { ImsStoreHandle } from '../ims/ims-tables.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { LegacyPasswordVerifier } from '../ims/passwords/password-strategy.ts';

import type { RequestHandler } from '../http/request-handler.ts';

export type { RequestHandler } from '../http/request-handler.ts';

export interface StartServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  store: ImsStoreHandle;
  /**
   * IMS settings, or a function of the server's own URL (`http://127.0.0.1:<bound port>`) for port 0, where the
   * issuer is only known once the socket is bound.
   */
  config: ImsConfig | ((serverUrl: string) => ImsConfig);
  /** Overrides the mailer chosen from config (outbox, or SMTP when `ims.smtp` is set). */
  mailer?: Mailer;
  /** The product's password check, for subscriptions on the `lazy` password strategy. */
  legacyPasswords?: LegacyPasswordVerifier;
  /**
   * Further handlers, tried in order after the IMS: SCIM (`/scim/v2`), Admin API, console, redirect service.
   * They receive the embedded IMS so they can use its directory and verify its tokens.
   */
  handlers?: ((ims: EmbeddedIms) => RequestHandler)[];
}

export interface RunningServer {
  /** `http://host:port`. */
  url: string;
  ims: EmbeddedIms;
  close(): Promise<void>;
}

/**
 * Rehome's HTTP server: plain node:http composing handlers. The embedded IMS owns `/ims`; mount further parts
 * through `handlers`. Anything unanswered is a 404.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { server, mount } = createHandlerServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  let ims: EmbeddedIms;
  try {
    const config = typeof options.config === 'function' ? options.config(url) : options.config;
    ims = await createEmbeddedIms({ store: options.store, config, ...(options.mailer ? { mailer: options.mailer } : {}), ...(options.legacyPasswords ? { legacyPasswords: options.legacyPasswords } : {}) });
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  mount([ims.handler, ...(options.handlers ?? []).map((make) => make(ims))]);
  return {
    url,
    ims,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ims[Symbol.asyncDispose]();
    },
  };
}
