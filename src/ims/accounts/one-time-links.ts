import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ImsError } from '../directory/ims-directory.ts';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';
import { toNumber, type ImsDb } from '../ims-tables.ts';

export type LinkPurpose = 'verify_email' | 'reset_password' | 'change_email' | 'invite';

export interface LinkGrant {
  id: string;
  purpose: LinkPurpose;
  accountId: string;
  email: string;
}

/**
 * Signed, expiring, single-use tokens for mailed links: `<id>.<HMAC-SHA256(secret, purpose.id)>`. The signature
 * rejects forged or mistyped tokens without a database read; the row makes them expire and work once.
 */
export function createOneTimeLinks(db: ImsDb, secret: string, addresses: Pick<ImsDirectoryService, 'address'>, now: () => Date = () => new Date()) {
  const sign = (purpose: string, id: string) => createHmac('sha256', secret).update(`${purpose}.${id}`).digest('base64url');

  const parse = (token: string, purpose: LinkPurpose): string => {
    const [id, signature, ...rest] = String(token ?? '').split('.');
    const expected = id ? Buffer.from(sign(purpose, id)) : undefined;
    const given = Buffer.from(signature ?? '');
    if (!id || rest.length > 0 || !expected || expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new ImsError('token_invalid', 'This link is not valid. Request a new one.');
    }
    return id;
  };

  return {
    async issue(purpose: LinkPurpose, accountId: string, email: string, ttlSeconds: number): Promise<{ id: string; token: string }> {
      const id = randomBytes(18).toString('base64url');
      const at = now();
      await db.insertInto('ims_tokens').values({
        id,
        purpose,
        account_id: accountId,
        email: addresses.address(email).delivery,
        email_norm: addresses.address(email).key,
        expires_at: Math.floor(at.getTime() / 1000) + ttlSeconds,
        used_at: null,
        created_at: at.toISOString(),
      }).execute();
      return { id, token: `${id}.${sign(purpose, id)}` };
    },

    /** Reads a link without using it (to show its form). */
    async peek(token: string, purpose: LinkPurpose): Promise<LinkGrant> {
      return loadLive(parse(token, purpose), purpose);
    },

    /** Uses the link up; a second use, an expired or a revoked link fails with `token_invalid`. */
    async consume(token: string, purpose: LinkPurpose): Promise<LinkGrant> {
      const grant = await loadLive(parse(token, purpose), purpose);
      const result = await db.updateTable('ims_tokens').set({ used_at: now().toISOString() })
        .where('id', '=', grant.id).where('used_at', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new ImsError('token_invalid', 'This link was already used.');
      return grant;
    },

    /** Voids every unused link of other accounts aimed at this address (its owner just proved control of it). */
    async revokeForEmail(email: string, exceptAccountId: string): Promise<void> {
      await db.updateTable('ims_tokens').set({ used_at: now().toISOString() })
        .where('email_norm', '=', addresses.address(email).key).where('account_id', '<>', exceptAccountId).where('used_at', 'is', null).execute();
    },

    /**
     * The account's newest live link of `purpose`, as a usable token (the token is derived from the id, so it can be
     * handed out again): lets a resumed send repeat the very link its first attempt may already have mailed.
     */
    async findLive(accountId: string, purpose: LinkPurpose): Promise<{ id: string; token: string; email: string } | undefined> {
      const row = await db.selectFrom('ims_tokens').select(['id', 'email']).where('account_id', '=', accountId).where('purpose', '=', purpose)
        .where('used_at', 'is', null).where('expires_at', '>', Math.floor(now().getTime() / 1000))
        .orderBy('created_at', 'desc').executeTakeFirst();
      return row && { id: row.id, token: `${row.id}.${sign(purpose, row.id)}`, email: row.email };
    },

    /** Whether the account was ever sent a link of `purpose` (used or not). */
    async wasIssued(accountId: string, purpose: LinkPurpose): Promise<boolean> {
      return (await db.selectFrom('ims_tokens').select('id').where('account_id', '=', accountId).where('purpose', '=', purpose).executeTakeFirst()) !== undefined;
    },

    async revokeForAccount(accountId: string, purpose: LinkPurpose): Promise<void> {
      await db.updateTable('ims_tokens').set({ used_at: now().toISOString() })
        .where('account_id', '=', accountId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
    },
  };

  async function loadLive(id: string, purpose: LinkPurpose): Promise<LinkGrant> {
    const row = await db.selectFrom('ims_tokens').selectAll().where('id', '=', id).where('purpose', '=', purpose).executeTakeFirst();
    if (!row || row.used_at !== null) throw new ImsError('token_invalid', 'This link was already used or replaced. Request a new one.');
    if ((toNumber(row.expires_at) ?? 0) <= Math.floor(now().getTime() / 1000)) {
      throw new ImsError('token_invalid', 'This link has expired. Request a new one.');
    }
    return { id: row.id, purpose, accountId: row.account_id, email: row.email };
  }
}

export type OneTimeLinks = ReturnType<typeof createOneTimeLinks>;
