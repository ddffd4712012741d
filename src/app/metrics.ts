import { sql, type Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TEMPLATE_NAMES } from '../core/comms/templates.ts';
import type { AnsweredRequest } from '../http/access-log.ts';
import type { Log } from '../http/request-scope.ts';
import type { EngineEvent } from '../ports/engine-ports.ts';

/**
 * The metrics of one composed app, in a registry of its own (not prom-client's global one), so that tests composing
 * several apps in one process count apart. Labels are bounded sets — operations, codes, kinds, route classes —
 * never ids or addresses. docs/operations.md lists every series.
 */
export interface RehomeMetrics {
  readonly registry: Registry;
  /** The exposition at scrape time (collects the queue depth first on PostgreSQL). */
  render(): Promise<{ contentType: string; body: string }>;
  onEngineEvent(event: EngineEvent): void;
  idpRequest(operation: string, outcome: string, seconds: number): void;
  signIn(outcome: 'success' | 'failure', code?: string): void;
  mail(kind: string, outcome: 'sent' | 'duplicate' | 'failed'): void;
  httpRequest(request: AnsweredRequest): void;
}

export interface MetricsOptions {
  /** PostgreSQL: the store, whose `graphile_worker` schema holds the job queue (queue depth at scrape time). */
  queue?: { db: Kysely<any>; log: Log };
}

export function createRehomeMetrics(options: MetricsOptions = {}): RehomeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const migrated = new Counter({ name: 'rehome_users_migrated_total', help: 'Users the engine migrated (user:migrated events).', registers });
  const failed = new Counter({ name: 'rehome_users_failed_total', help: 'Users that failed, by error code (user:failed events).', labelNames: ['code'] as const, registers });
  const batches = new Histogram({
    name: 'rehome_batch_duration_seconds', help: 'Wall time of one batch of the user phase (batch:done events).', registers,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  });
  const batchUsers = new Counter({ name: 'rehome_batch_users_total', help: 'Users in the batches of the user phase (batch:done events).', registers });
  const phases = new Counter({ name: 'rehome_phases_started_total', help: 'Migration phases started, by phase.', labelNames: ['phase'] as const, registers });
  const idpRequests = new Counter({ name: 'rehome_idp_requests_total', help: 'Calls to the IdentityProvider port, by operation and outcome (ok or the IdP error code).', labelNames: ['operation', 'outcome'] as const, registers });
  const idpSeconds = new Histogram({
    name: 'rehome_idp_request_duration_seconds', help: 'Duration of calls to the IdentityProvider port, by operation.', labelNames: ['operation'] as const, registers,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
  });
  const throttled = new Counter({ name: 'rehome_idp_throttled_total', help: 'Times the IdP throttled the engine (idp:throttled events).', registers });
  const throttleWait = new Counter({ name: 'rehome_idp_throttle_wait_seconds_total', help: 'Time the engine paused because the IdP throttled it.', registers });
  const signIns = new Counter({ name: 'rehome_ims_sign_ins_total', help: 'Sign-ins at the embedded IMS: success (any completed authorization) or failure (password sign-in refused, by code).', labelNames: ['outcome', 'code'] as const, registers });
  const mails = new Counter({ name: 'rehome_mails_total', help: 'Mails handed to the mailer, by kind and outcome (sent, duplicate: already sent under its key, failed).', labelNames: ['kind', 'outcome'] as const, registers });
  const httpRequests = new Counter({ name: 'rehome_http_requests_total', help: 'HTTP requests answered, by route class, method and status.', labelNames: ['route', 'method', 'status'] as const, registers });
  const httpSeconds = new Histogram({
    name: 'rehome_http_request_duration_seconds', help: 'HTTP request duration, by route class.', labelNames: ['route'] as const, registers,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  if (options.queue) queueDepthGauge(options.queue, registry);

  return {
    registry,
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    onEngineEvent(event) {
      switch (event.type) {
        case 'user:migrated': migrated.inc(); break;
        case 'user:failed': failed.inc({ code: event.code }); break;
        case 'batch:done': batches.observe(event.ms / 1000); batchUsers.inc(event.size); break;
        case 'phase:started': phases.inc({ phase: event.phase }); break;
        case 'idp:throttled': throttled.inc(); throttleWait.inc(event.waitMs / 1000); break;
        case 'progress': break;
      }
    },
    idpRequest(operation, outcome, seconds) {
      idpRequests.inc({ operation, outcome });
      idpSeconds.observe({ operation }, seconds);
    },
    signIn(outcome, code) {
      signIns.inc(outcome === 'failure' ? { outcome, code: code ?? 'unknown' } : { outcome });
    },
    mail(kind, outcome) {
      mails.inc({ kind, outcome });
    },
    httpRequest(r) {
      httpRequests.inc({ route: r.route, method: r.method, status: String(r.status) });
      httpSeconds.observe({ route: r.route }, r.ms / 1000);
    },
  };
}

/**
 * Jobs waiting in graphile-worker's queue (not locked by a worker, not failed for good), read when Prometheus
 * scrapes. Before any job was queued the schema does not exist: nothing waits. A failed read keeps the last value
 * and is logged, so one slow database does not cost the whole scrape.
 */
function queueDepthGauge(queue: NonNullable<MetricsOptions['queue']>, registry: Registry): void {
  new Gauge({
    name: 'rehome_queue_jobs_waiting', help: 'Jobs waiting in the PostgreSQL job queue (graphile-worker) for a worker.', registers: [registry],
    async collect() {
      try {
        const r = await sql<{ n: string }>`select count(*) as n from graphile_worker.jobs where locked_at is null and attempts < max_attempts`.execute(queue.db);
        this.set(Number(r.rows[0]?.n ?? 0));
      } catch (error) {
        if ((error as { code?: string }).code === '42P01' || (error as { code?: string }).code === '3F000') this.set(0);
        else queue.log.warn({ metric: 'rehome_queue_jobs_waiting', error: (error as Error)?.name, code: (error as { code?: string })?.code }, 'queue depth not read');
      }
    },
  });
}

const IMS_MAIL_KINDS = ['invite', 'verify-email', 'reset-password', 'change-email', 'email-changed', 'already-registered', 'no-account', 'signup-cancelled'];
const MAIL_KINDS: ReadonlySet<string> = new Set([...IMS_MAIL_KINDS, ...TEMPLATE_NAMES]);

/**
 * The kind of a mail, read from its idempotency key (`ims:verify-email:<id>`, `<subscription>:invite:<user>`,
 * `comms:<subscription>:<template>:<user>`): the first segment that names a known kind, else `other`. Only the
 * fixed list becomes a label: the rest of a key holds ids.
 */
export function mailKindOf(key: string): string {
  return key.split(':').find((segment) => MAIL_KINDS.has(segment)) ?? 'other';
}
