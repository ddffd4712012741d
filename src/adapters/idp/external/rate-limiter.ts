/**
 * Token bucket for "N requests per minute" provisioning limits (e.g. 10/min per client at large vendors). Requests
 * take tokens in arrival order; tokens refill continuously at N per minute up to `burst`. The default burst of 1
 * spaces requests evenly, which stays under both fixed-window and sliding-window limiters on the server.
 */
export interface RateLimiter {
  take(signal?: AbortSignal): Promise<void>;
}

export interface RateLimiterOptions {
  requestsPerMinute: number;
  burst?: number;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const perMs = options.requestsPerMinute / 60_000;
  if (!(perMs > 0)) throw new RangeError('requestsPerMinute must be positive');
  const capacity = Math.max(1, options.burst ?? 1);
  let tokens = capacity;
  let last = options.now();
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const now = options.now();
    tokens = Math.min(capacity, tokens + (now - last) * perMs);
    last = now;
  };

  const takeOne = async (signal?: AbortSignal) => {
    refill();
    while (tokens < 1) {
      await options.sleep(Math.ceil((1 - tokens) / perMs), signal);
      refill();
    }
    tokens -= 1;
  };

  return {
    take(signal) {
      const mine = queue.then(() => takeOne(signal));
      // A waiter that gave up (abort) must not block the ones behind it.
      queue = mine.catch(() => undefined);
      return mine;
    },
  };
}
