import { Logger, makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import { BATCH_TASK, fairPriority, START_TASK, type BatchPayload, type StartPayload } from './user-jobs.ts';

/** graphile-worker speaks only when something went wrong; job payloads (user ids) never reach the log. */
export const quietLogger = new Logger(() => (level, message) => {
  if (level === 'error') process.stderr.write(`rehome worker: ${message}\n`);
});

/** The job queue on PostgreSQL (graphile-worker, schema `graphile_worker`), migrated on open. */
export async function openJobQueue(connectionString: string): Promise<WorkerUtils> {
  const utils = await makeWorkerUtils({ connectionString, logger: quietLogger });
  await utils.migrate();
  return utils;
}

/**
 * Enqueues the user phase of a subscription (Migrate All: one `start` job, which runs the admins and then fans out
 * batch jobs) or of named users (Migrate Now: batch jobs of them, failed ones included). Idempotent by job key.
 */
export async function enqueueUserPhase(utils: WorkerUtils, input: { subscriptionId: string; userIds?: string[]; scheduledOnly?: boolean; batchSize?: number }): Promise<{ jobs: number }> {
  const scheduledOnly = Boolean(input.scheduledOnly);
  if (!input.userIds) {
    await utils.addJob(START_TASK, { subscriptionId: input.subscriptionId, scheduledOnly } satisfies StartPayload, { jobKey: `start:${input.subscriptionId}` });
    return { jobs: 1 };
  }
  const size = Math.max(1, input.batchSize ?? 1000);
  const specs = [];
  for (let i = 0; i < input.userIds.length; i += size) {
    specs.push({ identifier: BATCH_TASK, payload: { subscriptionId: input.subscriptionId, userIds: input.userIds.slice(i, i + size), scheduledOnly, includeFailed: true } satisfies BatchPayload, priority: fairPriority(i / size) });
  }
  if (specs.length > 0) await utils.addJobs(specs);
  return { jobs: specs.length };
}

/** Jobs of ours that are waiting, running or due for a retry (permanently failed ones excluded). */
export async function openJobCount(utils: WorkerUtils): Promise<number> {
  return utils.withPgClient(async (client) => {
    const r = await client.query<{ n: string }>(`select count(*) as n from graphile_worker.jobs where task_identifier = any($1::text[]) and attempts < max_attempts`, [[START_TASK, BATCH_TASK]]);
    return Number(r.rows[0]!.n);
  });
}
