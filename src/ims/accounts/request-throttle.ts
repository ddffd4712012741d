import type { ImsRequestLimits } from '../ims-config.ts';
import { clientKey, retryText, ThrottledError, type CounterState, type ThrottleCounters } from './throttle-counters.ts';

/** The self-service requests that send mail to an address typed by whoever asks. */
export type LimitedRequest = 'signup' | 'reset' | 'resend';

interface Rule {
  key: string;
  max: number;
}

/**
 * Limits sign-ups, password-reset requests and verification resends, each per address (its look-up key, so that
 * spellings of one mailbox share a count) and per client address, in fixed windows. The limits apply alike whether
 * or not an account exists, so a refusal says nothing about the address. A refused request is not counted.
 */
export function createRequestThrottle(counters: ThrottleCounters, limits: ImsRequestLimits) {
  const rulesFor = (action: LimitedRequest, addressKey: string, ip: string): Rule[] => [
    { key: `${action}:address:${addressKey}`, max: limits.perAddress },
    { key: `${action}:client:${clientKey(ip)}`, max: limits.perClient },
  ];

  return {
    /** Counts one request, or throws a `ThrottledError` (saying when to retry) when the address or client is at its limit. */
    async admit(action: LimitedRequest, addressKey: string, ip: string): Promise<void> {
      const rules = rulesFor(action, addressKey, ip);
      rejectAtLimit(rules, await counters.peek(rules.map((r) => r.key), limits.windowSeconds), counters.now());
      const counted: CounterState[] = [];
      for (const rule of rules) counted.push(await counters.add(rule.key, limits.windowSeconds));
      // Concurrent requests may all have passed the peek; the atomic counts decide which of them stay within the limit.
      rejectOverLimit(rules, counted, counters.now());
    },
  };
}

function rejectAtLimit(rules: Rule[], states: CounterState[], now: number): void {
  refuseWhere(rules.map((r, i) => states[i]!.count >= r.max ? states[i]!.windowEnds : 0), now);
}

function rejectOverLimit(rules: Rule[], states: CounterState[], now: number): void {
  refuseWhere(rules.map((r, i) => states[i]!.count > r.max ? states[i]!.windowEnds : 0), now);
}

function refuseWhere(windowEnds: number[], now: number): void {
  const wait = Math.max(0, ...windowEnds) - now;
  if (wait > 0) throw new ThrottledError(`This was asked for too often. ${retryText(wait)}.`, wait);
}

export type RequestThrottle = ReturnType<typeof createRequestThrottle>;
