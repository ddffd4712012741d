/** How long a provisioning run will take under an IdP's limits. Pure: the numbers in, an honest estimate out. */

export interface EtaInput {
  /** Users to provision. */
  users: number;
  /** Users carried by one request (e.g. 10). */
  batchSize: number;
  /** Requests each batch needs (default 1; e.g. 2 for look-up then create). */
  requestsPerBatch?: number;
  /** Rate limit; null or undefined = none. */
  requestsPerMinute?: number | null;
  /** Requests in flight at once. */
  concurrency: number;
  /** Measured (or expected) time for one request, in milliseconds. */
  latencyMs: number;
}

export interface Eta {
  requests: number;
  /** The total, in milliseconds and in (fractional) minutes. */
  ms: number;
  minutes: number;
  /** What sets the pace: the rate limit, or latency divided by concurrency. */
  boundBy: 'rate' | 'latency';
  /** Achieved throughput, users per minute. */
  usersPerMinute: number;
}

export function estimateEta(input: EtaInput): Eta {
  const users = Math.max(0, Math.ceil(input.users));
  const batchSize = Math.max(1, Math.floor(input.batchSize));
  const concurrency = Math.max(1, Math.floor(input.concurrency));
  const requests = Math.ceil(users / batchSize) * Math.max(1, input.requestsPerBatch ?? 1);
  const latencyMs = Math.max(0, input.latencyMs);
  // With c requests in flight and each taking L, at most c/L requests finish per millisecond.
  const latencyBoundMs = Math.ceil(requests / concurrency) * latencyMs;
  const rateBoundMs = input.requestsPerMinute ? (requests / input.requestsPerMinute) * 60_000 : 0;
  const ms = Math.max(latencyBoundMs, rateBoundMs);
  const minutes = ms / 60_000;
  return {
    requests,
    ms,
    minutes,
    boundBy: rateBoundMs >= latencyBoundMs && rateBoundMs > 0 ? 'rate' : 'latency',
    usersPerMinute: minutes > 0 ? users / minutes : users === 0 ? 0 : Infinity,
  };
}

/** "16 h 40 min", "3 min 20 s", "850 ms": for progress lines and plan summaries. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = Math.round(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [days && `${days} d`, hours && `${hours} h`, minutes && `${minutes} min`, !days && !hours && seconds && `${seconds} s`];
  return parts.filter(Boolean).join(' ') || '0 s';
}
