import { runWorker, type WorkerResult } from '../../engine/workers/run-worker.ts';
import type { EngineEvent } from '../../ports/engine-ports.ts';
import type { RehomeApp } from '../compose.ts';

export interface WorkQueueInput {
  /** Jobs at once in this process. */
  concurrency?: number;
  /** Stop once nothing is queued, running or due. */
  untilIdle?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
}

/**
 * A worker's loop (`rehome worker`, and `migrateUsers` on PostgreSQL working alongside the workers): queued user
 * batches and due scheduled migrations, each job on the app's engine ports — the ports `rehome migrate` and the
 * console use, so a user moved by a worker gets the same account, password provisioning, link and audit.
 */
export function workQueue(app: RehomeApp, input: WorkQueueInput = {}): Promise<WorkerResult> {
  return runWorker({
    store: app.store, connectionString: app.config.store.url ?? '', batchSize: app.config.migration.batchSize, now: app.now,
    ...(input.concurrency ? { concurrency: input.concurrency } : {}),
    ...(input.untilIdle ? { untilIdle: true } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
    portsFor: (m, actor) => app.enginePorts({ orgId: m.org_id ?? '', subscriptionId: m.subscription_id, actor, ...(input.onEvent ? { onEvent: input.onEvent } : {}) }),
  });
}
