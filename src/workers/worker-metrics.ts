import type { AddressInfo } from 'node:net';
import type { RehomeApp } from '../app/compose.ts';
import { createHandlerServer } from '../http/handler-server.ts';
import { createMetricsHandler } from '../http/metrics-handler.ts';

export interface MetricsServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  url: string;
}

/** `rehome worker --metrics-port`: the worker's app metrics on 127.0.0.1, nothing else (404 for any other path). */
export async function serveWorkerMetrics(app: RehomeApp, port: number): Promise<MetricsServer> {
  const { server, mount } = createHandlerServer();
  mount([createMetricsHandler({ render: () => app.metrics.render(), token: app.config.server.metricsToken })]);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
