import { createServer } from 'node:http';
import { logUnexpected } from '../http/log-error.ts';
import type { AddressInfo } from 'node:net';
import { createRedirectHandler, type RedirectHandlerOptions } from './redirect-handler.ts';

export interface RunningRedirectServer extends AsyncDisposable {
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

/** The redirect service on its own (`rehome redirects`, tests, the benchmark): plain node:http, keep-alive on. */
export async function startRedirectServer(options: Omit<RedirectHandlerOptions, 'mode'> & { host?: string; port?: number }): Promise<RunningRedirectServer> {
  const handle = createRedirectHandler({ ...options, mode: 'standalone' });
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logUnexpected('redirects', error);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close, [Symbol.asyncDispose]: close };
}
