import { IdpError, type IdpErrorCode } from '../../../ports/identity-provider.ts';
import { createRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { backoffDelay, defaultBackoff, isRetryableStatus, parseRetryAfter, type BackoffOptions } from './retry-policy.ts';
import { createSemaphore, type Semaphore } from './semaphore.ts';
import { createTokenSource, type ScimAuth } from './token-source.ts';

export const SCIM_CONTENT_TYPE = 'application/scim+json';

export interface ScimClientOptions {
  /** SCIM base URL, e.g. `https://idp.example.com/scim/v2` (no trailing slash needed). */
  baseUrl: string;
  auth: ScimAuth;
  fetch?: typeof fetch;
  /** Per-attempt timeout, body included (default 10 s). */
  timeoutMs?: number;
  /** Attempts after the first (default 5). */
  maxRetries?: number;
  backoff?: Partial<BackoffOptions>;
  /** A `Retry-After` longer than this is not waited out: the call fails `throttled` with `retryAfterMs` (default 2 min). */
  maxRetryAfterMs?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Client-side limit, e.g. 10 for "10 requests a minute"; unset = unlimited. */
  requestsPerMinute?: number;
  /** Token-bucket capacity for `requestsPerMinute` (default 1: evenly spaced). */
  burst?: number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Told about each retry (for logs and metrics). */
  onRetry?: (event: { operation: string; attempt: number; delayMs: number; error: IdpError }) => void;
}

export interface ScimRequest {
  /** Named in errors: `createUser`, `addProfileMembers`... */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the base URL, e.g. `/Users`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /**
   * May a failure of unknown outcome (5xx, timeout, dropped connection) be repeated blindly? True for GET, PUT,
   * DELETE and membership PATCHes. A POST is not: the caller re-looks-up before creating again.
   */
  idempotent: boolean;
  signal?: AbortSignal;
}

export interface ScimResponse {
  status: number;
  body: unknown;
}

export interface ScimClient {
  request(req: ScimRequest): Promise<ScimResponse>;
  readonly options: { baseUrl: string; concurrency: number; requestsPerMinute: number | null; timeoutMs: number; maxRetries: number };
  /** Backoff for callers that run their own retry loop (createUser's find-then-create). */
  backoff(attempt: number, signal?: AbortSignal): Promise<void>;
  /** What the wire looked like so far: feed `meanLatencyMs` to `estimateEta`. */
  stats(): ScimClientStats;
}

export interface ScimClientStats {
  /** Attempts sent, retries included. */
  attempts: number;
  retries: number;
  /** Mean time of attempts that got an answer, in milliseconds; null before the first. */
  meanLatencyMs: number | null;
}

/** A SCIM 2.0 client (RFC 7644) that is polite under provisioning limits and honest about failures. */
export function createScimClient(options: ScimClientOptions): ScimClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 5;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
  const backoff: BackoffOptions = { ...defaultBackoff, ...options.backoff };
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const concurrency = options.concurrency ?? 4;
  const semaphore: Semaphore = createSemaphore(concurrency);
  const limiter: RateLimiter | undefined = options.requestsPerMinute
    ? createRateLimiter({ requestsPerMinute: options.requestsPerMinute, burst: options.burst, now, sleep })
    : undefined;
  const tokens = createTokenSource(options.auth, fetchImpl, now);
  const counters = { attempts: 0, retries: 0, answered: 0, latencyTotal: 0 };

  const attemptOnce = async (req: ScimRequest, refreshedToken: boolean): Promise<ScimResponse> => {
    await limiter?.take(req.signal);
    const url = new URL(baseUrl + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const response = await semaphore.run(async () => {
      // The clock starts when the request gets its slot, not while it queues behind others.
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      const token = await tokens.get(signal);
      counters.attempts++;
      const started = now();
      try {
        const res = await fetchImpl(url, {
          method: req.method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: `${SCIM_CONTENT_TYPE}, application/json`,
            ...(req.body === undefined ? {} : { 'content-type': SCIM_CONTENT_TYPE }),
          },
          body: req.body === undefined ? null : JSON.stringify(req.body),
          signal,
        });
        // Read the body inside the slot and under the timeout: a response cut mid-body is a failed attempt.
        const text = await res.text();
        counters.answered++;
        counters.latencyTotal += now() - started;
        return { res, text };
      } catch (error) {
        throw networkError(req, error, timeout, timeoutMs);
      }
    });
    const { res, text } = response;
    if (res.status === 401 && !refreshedToken && options.auth.kind !== 'static') {
      tokens.invalidate();
      return attemptOnce(req, true);
    }
    const body = parseBody(text);
    if (res.ok) return { status: res.status, body };
    throw httpError(req, res, body, now());
  };

  return {
    options: { baseUrl, concurrency, requestsPerMinute: options.requestsPerMinute ?? null, timeoutMs, maxRetries },

    stats: () => ({
      attempts: counters.attempts,
      retries: counters.retries,
      meanLatencyMs: counters.answered === 0 ? null : counters.latencyTotal / counters.answered,
    }),

    async backoff(attempt, signal) {
      counters.retries++;
      await sleep(backoffDelay(attempt, backoff, random), signal);
    },

    async request(req) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await attemptOnce(req, false);
        } catch (error) {
          if (!(error instanceof IdpError)) throw error;
          const canRetry = attempt < maxRetries && error.retryable && (req.idempotent || error.code === 'throttled');
          if (!canRetry) throw error;
          // The server's Retry-After wins over our own backoff (RFC 6585 section 4, RFC 9110 section 10.2.3).
          if (error.retryAfterMs !== undefined && error.retryAfterMs > maxRetryAfterMs) throw error;
          const delayMs = error.retryAfterMs ?? backoffDelay(attempt, backoff, random);
          counters.retries++;
          options.onRetry?.({ operation: req.operation, attempt: attempt + 1, delayMs, error });
          await sleep(delayMs, req.signal);
        }
      }
    },
  };
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const statusCodes: Record<number, IdpErrorCode> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  408: 'timeout',
  409: 'conflict',
  412: 'conflict',
  429: 'throttled',
};

function httpError(req: ScimRequest, res: Response, body: unknown, nowMs: number): IdpError {
  const retryAfterMs = isRetryableStatus(res.status) ? parseRetryAfter(res.headers.get('retry-after'), nowMs) : undefined;
  return scimAnswerError(req.operation, `${req.method} ${req.path}`, res.status, body, retryAfterMs);
}

/**
 * The port's error for a SCIM error answer: of a whole request, or of one operation inside a Bulk response (which
 * carries the same status and RFC 7644 §3.12 body per operation).
 */
export function scimAnswerError(operation: string, what: string, status: number, body: unknown, retryAfterMs?: number): IdpError {
  const code: IdpErrorCode = statusCodes[status] ?? (status >= 500 ? 'unavailable' : 'invalid_request');
  // RFC 7644 section 3.12 error body: { schemas, status, scimType?, detail? }.
  const scim = typeof body === 'object' && body !== null ? body as { scimType?: unknown; detail?: unknown } : {};
  const scimType = typeof scim.scimType === 'string' ? scim.scimType : undefined;
  const detail = typeof scim.detail === 'string' ? scim.detail : typeof body === 'string' ? body.slice(0, 200) : '';
  const message = `${operation}: ${what} answered HTTP ${status}`
    + (scimType ? ` (scimType ${scimType})` : '') + (detail ? `: ${detail}` : '');
  return new IdpError(code, message, {
    status,
    ...(scimType === undefined ? {} : { scimType }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    retryable: isRetryableStatus(status),
  });
}

function networkError(req: ScimRequest, error: unknown, timeout: AbortSignal, timeoutMs: number): IdpError {
  if (error instanceof IdpError) return error;
  if (timeout.aborted) {
    return new IdpError('timeout', `${req.operation}: ${req.method} ${req.path} gave no complete answer within ${timeoutMs} ms`, { cause: error });
  }
  if (req.signal?.aborted) return new IdpError('aborted', `${req.operation}: aborted by the caller`, { cause: error, retryable: false });
  const reason = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  const detail = reason?.code ?? reason?.message ?? (error as Error).message;
  return new IdpError('unavailable', `${req.operation}: ${req.method} ${req.path} failed on the network (${detail})`, { cause: error });
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new IdpError('aborted', 'aborted while waiting to retry', { retryable: false, cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
