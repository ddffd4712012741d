import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { ImsError } from '../directory/ims-directory.ts';
import { toNumber, type ImsDb } from '../ims-tables.ts';

/** `throttled` with the number of seconds to wait, for the HTTP `Retry-After` header (RFC 9110 section 10.2.3). */
export class ThrottledError extends ImsError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('throttled', message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** "Try again in 12 minutes." */
export function retryText(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * The client part of a throttle key: an IPv4 address as it is (also when IPv4-mapped), an IPv6 address by its /64
 * prefix, since one subscriber commonly holds a whole /64 (RFC 6177) and could otherwise rotate addresses freely.
 */
export function clientKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => (Number.parseInt(g, 16) || 0).toString(16)).join(':')}::/64`;
}

export interface CounterState {
  /** Requests counted in the current window (0 once the window has passed). */
  count: number;
  /** Epoch seconds when the current window ends. */
  windowEnds: number;
  /** Epoch seconds until which the key is paused (0: not paused). */
  blockedUntil: number;
}

const PRUNE_EVERY_SECONDS = 600;

/**
 * Fixed-window counters in `ims_throttle`, shared by every IMS throttle (failed sign-ins; sign-ups, reset requests
 * and verification resends). They live in the store, so limits hold across restarts and between instances. Keys
 * are stored as an HMAC under the IMS's link secret: the table holds no address and no IP. Each row carries the
 * time it stops mattering (`expires_at`) and expired rows are pruned now and then.
 */
export function createThrottleCounters(db: ImsDb, options: { secret: string; now?: () => Date }) {
  const now = () => Math.floor((options.now ?? (() => new Date()))().getTime() / 1000);
  const hash = (key: string) => createHmac('sha256', options.secret).update(`ims-throttle.${key}`).digest('base64url');
  let prunedAt = 0;

  const pruneNowAndThen = async (t: number) => {
    if (t - prunedAt < PRUNE_EVERY_SECONDS) return;
    prunedAt = t;
    await db.deleteFrom('ims_throttle').where('expires_at', '<=', t).execute();
  };

  return {
    /** The injected clock, in epoch seconds. */
    now,

    /** The state of each key (in the order given) in a window of `windowSeconds`. */
    async peek(keys: string[], windowSeconds: number): Promise<CounterState[]> {
      const t = now();
      const rows = await db.selectFrom('ims_throttle').selectAll().where('key', 'in', keys.map(hash)).execute();
      const byKey = new Map(rows.map((r) => [r.key, r]));
      return keys.map((key) => {
        const row = byKey.get(hash(key));
        const windowEnds = row ? toNumber(row.window_start)! + windowSeconds : 0;
        const blockedUntil = toNumber(row?.blocked_until) ?? 0;
        return windowEnds > t ? { count: Number(row!.failures), windowEnds, blockedUntil } : { count: 0, windowEnds: t + windowSeconds, blockedUntil };
      });
    },

    /** Adds one to the key's count, starting a new window when the last one has passed; one atomic statement. */
    async add(key: string, windowSeconds: number): Promise<CounterState> {
      const t = now();
      await pruneNowAndThen(t);
      const passed = sql<boolean>`ims_throttle.window_start + ${windowSeconds} <= ${t}`;
      const row = await db.insertInto('ims_throttle')
        .values({ key: hash(key), failures: 1, window_start: t, blocked_until: null, expires_at: t + windowSeconds })
        .onConflict((oc) => oc.column('key').doUpdateSet({
          failures: sql<number>`CASE WHEN ${passed} THEN 1 ELSE ims_throttle.failures + 1 END`,
          window_start: sql<number>`CASE WHEN ${passed} THEN ${t} ELSE ims_throttle.window_start END`,
          expires_at: sql<number>`CASE WHEN ${passed} AND ims_throttle.expires_at < ${t + windowSeconds} THEN ${t + windowSeconds} ELSE ims_throttle.expires_at END`,
        }))
        .returning(['failures', 'window_start', 'blocked_until'])
        .executeTakeFirstOrThrow();
      return { count: Number(row.failures), windowEnds: toNumber(row.window_start)! + windowSeconds, blockedUntil: toNumber(row.blocked_until) ?? 0 };
    },

    /** Pauses the key until `until` (epoch seconds). */
    async block(key: string, until: number): Promise<void> {
      await db.updateTable('ims_throttle')
        .set({ blocked_until: until, expires_at: sql<number>`CASE WHEN expires_at < ${until} THEN ${until} ELSE expires_at END` })
        .where('key', '=', hash(key))
        .execute();
    },

    async clear(key: string): Promise<void> {
      await db.deleteFrom('ims_throttle').where('key', '=', hash(key)).execute();
    },
  };
}

export type ThrottleCounters = ReturnType<typeof createThrottleCounters>;
