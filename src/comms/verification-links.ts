import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { commsDb, type CommsTables } from './comms-schema.ts';
import type { Kysely } from 'kysely';

export type LinkRow = CommsTables['comms_links'];

/** What a token is worth: only `valid` may verify; the others say why not (and each has its own page). */
export type LinkCheck =
  | { status: 'valid'; link: LinkRow }
  | { status: 'expired'; link: LinkRow }
  | { status: 'used'; link: LinkRow }
  | { status: 'address_changed'; link: LinkRow }
  | { status: 'invalid' };

export interface VerificationLinks {
  /** The server's public URL the links point at (its help pages live there too). */
  readonly baseUrl: string;
  /**
   * Issues the link mailed under `sendKey`. The token is derived from the key (HMAC), so a run resumed after a crash
   * re-issues the very link the first attempt may already have mailed; only its SHA-256 is stored.
   */
  issue(input: { sendKey: string; subscriptionId: string; userId: string; email: string }): Promise<{ url: string; expiresAt: string }>;
  /** Reads a token without using it up. */
  check(token: string, currentEmail?: (link: LinkRow) => Promise<string | undefined>): Promise<LinkCheck>;
  /** Uses the link up (once: a concurrent second use gets `used`). */
  consume(token: string, currentEmail: (link: LinkRow) => Promise<string | undefined>): Promise<LinkCheck>;
  recordClick(link: LinkRow, outcome: string): Promise<void>;
}

/**
 * Signed, expiring, single-use links for product users: `<base>/verify-email?token=<id>.<HMAC-SHA256(secret, id)>`.
 * The signature turns away forged or mistyped tokens before any database read (and nothing is written for them);
 * the row makes a link expire, work once, and fail when the user's address changed since it was mailed.
 */
export function createVerificationLinks(opts: { db: Kysely<any>; secret: string; baseUrl: string; ttlHours: number; now: () => Date }): VerificationLinks {
  const db = commsDb(opts.db);
  const mac = (data: string) => createHmac('sha256', opts.secret).update(data).digest('base64url');
  const sign = (id: string) => mac(`rehome-comms-verify.${id}`);
  const emailHash = (email: string) => mac(`rehome-comms-email.${email.trim().toLowerCase()}`);
  const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

  const parse = (token: string): string | null => {
    const [id, signature, ...rest] = String(token ?? '').split('.');
    if (!id || !signature || rest.length > 0) return null;
    const expected = Buffer.from(sign(id));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) ? token : null;
  };

  const classify = async (link: LinkRow | undefined, currentEmail?: (link: LinkRow) => Promise<string | undefined>): Promise<LinkCheck> => {
    if (!link) return { status: 'invalid' };
    if (link.used_at) return { status: 'used', link };
    if (Date.parse(link.expires_at) <= opts.now().getTime()) return { status: 'expired', link };
    if (currentEmail) {
      const email = await currentEmail(link);
      if (email === undefined || emailHash(email) !== link.email_hash) return { status: 'address_changed', link };
    }
    return { status: 'valid', link };
  };

  const load = (token: string) => db.selectFrom('comms_links').selectAll().where('token_hash', '=', tokenHash(token)).executeTakeFirst();

  return {
    baseUrl: opts.baseUrl,
    async issue({ sendKey, subscriptionId, userId, email }) {
      const id = mac(`rehome-comms-link-id.${sendKey}`).slice(0, 24);
      const token = `${id}.${sign(id)}`;
      const now = opts.now();
      await db.insertInto('comms_links').values({
        token_hash: tokenHash(token), send_key: sendKey, subscription_id: subscriptionId, user_id: userId, email_hash: emailHash(email),
        issued_at: now.toISOString(), expires_at: new Date(now.getTime() + opts.ttlHours * 3_600_000).toISOString(), used_at: null,
      }).onConflict((oc) => oc.column('token_hash').doNothing()).execute();
      const row = (await load(token))!;
      return { url: `${opts.baseUrl}/verify-email?token=${encodeURIComponent(token)}`, expiresAt: row.expires_at };
    },
    async check(token, currentEmail) {
      const valid = parse(token);
      return valid ? classify(await load(valid), currentEmail) : { status: 'invalid' };
    },
    async consume(token, currentEmail) {
      const valid = parse(token);
      if (!valid) return { status: 'invalid' };
      const checked = await classify(await load(valid), currentEmail);
      if (checked.status !== 'valid') return checked;
      const at = opts.now().toISOString();
      const r = await db.updateTable('comms_links').set({ used_at: at }).where('token_hash', '=', checked.link.token_hash).where('used_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return { status: 'used', link: (await load(valid))! };
      return { status: 'valid', link: { ...checked.link, used_at: at } };
    },
    async recordClick(link, outcome) {
      await db.insertInto('comms_clicks').values({ token_hash: link.token_hash, subscription_id: link.subscription_id, user_id: link.user_id, at: opts.now().toISOString(), outcome } as never).execute();
    },
  };
}
