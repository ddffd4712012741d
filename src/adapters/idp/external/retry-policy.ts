/** When to try a failed request again, and how long to wait first. Pure: time and randomness come in. */

export interface BackoffOptions {
  /** First retry waits up to this long (default 250 ms). */
  baseMs: number;
  /** No single wait is longer (default 30 s). */
  capMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 250, capMs: 30_000 };

/**
 * "Full jitter" exponential backoff: uniform in [0, min(cap, base * 2^attempt)). Spreads retries of many clients
 * that failed together, instead of having them hit the recovering server in waves. `attempt` counts from 0.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Parses `Retry-After` (RFC 9110 section 10.2.3): either delay-seconds or an HTTP-date. Returns milliseconds from
 * `nowMs`, never negative; undefined when absent or unreadable (the caller falls back to backoff).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * HTTP statuses that mean "not now" rather than "not this": retried (5xx only when the request is idempotent).
 * 501 Not Implemented is "not this": the server will never support the request.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501);
}
