import { ImsError } from '../directory/ims-directory.ts';
import type { ImsThrottle } from '../ims-config.ts';
import { toNumber, type ImsDb } from '../ims-tables.ts';

/**
 * Counts failed sign-ins per account (keyed by the normalized email typed, so unknown addresses are throttled
 * alike and nothing leaks) and per client IP, in fixed windows; a key over its limit is paused for `blockSeconds`.
 */
export function createLoginThrottle(db: ImsDb, limits: ImsThrottle, now: () => Date = () => new Date()) {
  const epoch = () => Math.floor(now().getTime() / 1000);
  const keysFor = (email: string, ip: string) => [
    { key: `account:${email}`, max: limits.maxFailuresPerAccount },
    { key: `ip:${ip}`, max: limits.maxFailuresPerIp },
  ];

  return {
    /** Throws `throttled` (message says when to retry) while either key is paused. */
    async check(email: string, ip: string): Promise<void> {
      const rows = await db.selectFrom('ims_throttle').selectAll().where('key', 'in', keysFor(email, ip).map((k) => k.key)).execute();
      const until = Math.max(0, ...rows.map((r) => toNumber(r.blocked_until) ?? 0));
      if (until > epoch()) {
        const minutes = Math.ceil((until - epoch()) / 60);
        throw new ImsError('throttled', `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or reset your password.`);
      }
    },

    async recordFailure(email: string, ip: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        for (const { key, max } of keysFor(email, ip)) {
          const row = await trx.selectFrom('ims_throttle').selectAll().where('key', '=', key).executeTakeFirst();
          const t = epoch();
          const fresh = !row || (toNumber(row.window_start) ?? 0) + limits.windowSeconds <= t;
          const failures = fresh ? 1 : Number(row.failures) + 1;
          const values = {
            failures,
            window_start: fresh ? t : toNumber(row.window_start)!,
            blocked_until: failures >= max ? t + limits.blockSeconds : null,
          };
          await trx.insertInto('ims_throttle').values({ key, ...values }).onConflict((oc) => oc.column('key').doUpdateSet(values)).execute();
        }
      });
    },

    async recordSuccess(email: string): Promise<void> {
      await db.deleteFrom('ims_throttle').where('key', '=', `account:${email}`).execute();
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
