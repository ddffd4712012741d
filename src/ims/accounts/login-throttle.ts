import type { ImsThrottle } from '../ims-config.ts';
import { clientKey, retryText, ThrottledError, type ThrottleCounters } from './throttle-counters.ts';

/**
 * Counts failed sign-ins per account (keyed by the normalized email typed, so unknown addresses are throttled
 * alike and nothing leaks) and per client address, in fixed windows; a key over its limit is paused for
 * `blockSeconds`.
 */
export function createLoginThrottle(counters: ThrottleCounters, limits: ImsThrottle) {
  const keysFor = (email: string, ip: string) => [
    { key: `account:${email}`, max: limits.maxFailuresPerAccount },
    { key: `ip:${clientKey(ip)}`, max: limits.maxFailuresPerIp },
  ];

  return {
    /** Throws `throttled` (a `ThrottledError`; the message says when to retry) while either key is paused. */
    async check(email: string, ip: string): Promise<void> {
      const states = await counters.peek(keysFor(email, ip).map((k) => k.key), limits.windowSeconds);
      const wait = Math.max(0, ...states.map((s) => s.blockedUntil)) - counters.now();
      if (wait > 0) throw new ThrottledError(`Too many failed sign-in attempts. ${retryText(wait)}, or reset your password.`, wait);
    },

    async recordFailure(email: string, ip: string): Promise<void> {
      for (const { key, max } of keysFor(email, ip)) {
        const { count } = await counters.add(key, limits.windowSeconds);
        if (count >= max) await counters.block(key, counters.now() + limits.blockSeconds);
      }
    },

    async recordSuccess(email: string): Promise<void> {
      await counters.clear(`account:${email}`);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
