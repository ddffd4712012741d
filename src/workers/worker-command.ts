import { STORE_OPTIONS, storeFlags, type Command } from '../app/command.ts';
import { AppError } from '../app/app-error.ts';
import { composeRehome } from '../app/compose.ts';
import { workQueue } from '../app/actions/index.ts';
import { serveWorkerMetrics } from './worker-metrics.ts';

export const workerCommand: Command = {
  summary: 'Run migration jobs and scheduled migrations until Ctrl-C (several workers on PostgreSQL)',
  help: `rehome worker [--concurrency N] [--until-idle] [--metrics-port N]

PostgreSQL: runs the jobs \`rehome migrate --subscription\` enqueued, N at a time, next to any number of other
workers (users are leased row by row, so nobody is migrated twice at once; a killed worker's users and jobs are
taken over). SQLite: one process at a time. Both: starts scheduled migrations when due; after the window expired
they do not run and the audit log says why (window_expired). --until-idle stops when nothing is left to do.
--metrics-port N serves this worker's Prometheus metrics at http://127.0.0.1:N/metrics (0 picks a free port; a
bearer token when server.metricsToken is set). See docs/operations.md.`,
  options: { concurrency: { type: 'string' }, 'until-idle': { type: 'boolean' }, 'metrics-port': { type: 'string' }, ...STORE_OPTIONS },
  configFlags: storeFlags,
  async run({ values, config, io }) {
    const concurrency = values.concurrency === undefined ? 2 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new AppError('usage', '--concurrency must be a whole number of at least 1');
    const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
    if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535)) throw new AppError('usage', '--metrics-port must be a port number (0-65535)');
    await using app = await composeRehome(config, { now: io.now });
    // Say what is not set up instead of silently doing less (the same parts the server names).
    for (const gap of app.gaps()) io.err(`note: not set: ${gap.option}; ${gap.consequence}\n`);
    // Loopback only: a worker has no TLS and no public face; Prometheus scrapes it on the same host.
    await using metrics = metricsPort === undefined ? undefined : await serveWorkerMetrics(app, metricsPort);
    if (metrics) io.out(`metrics on ${metrics.url}/metrics\n`);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const r = await workQueue(app, { concurrency, untilIdle: Boolean(values['until-idle']), signal: stop.signal });
      io.out(`worker stopped: ${r.jobs} jobs, ${r.migrated} users migrated, ${r.failed} failed\n`);
      return r.failed > 0 ? 3 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
