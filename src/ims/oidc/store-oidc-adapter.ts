import type { Adapter, AdapterPayload } from 'oidc-provider';
import { toNumber, type ImsDb } from '../ims-tables.ts';

/**
 * oidc-provider's storage on Rehome's store (table `ims_oidc`), one row per model instance. Sessions, grants,
 * codes and refresh tokens live here, so a restarted server (or a second one) keeps everybody signed in.
 * `account_id` is lifted out of the payload so that `revokeAccountState` can end every session and token of an
 * account in one statement (pre-hijacking defence, password reset, disabling).
 */
export function createStoreOidcAdapter(db: ImsDb, now: () => number = () => Date.now()) {
  const epoch = () => Math.floor(now() / 1000);

  return class StoreOidcAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const row = {
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        account_id: payload.accountId ?? null,
        expires_at: expiresIn ? epoch() + expiresIn : null,
      };
      await db.insertInto('ims_oidc').values({ model: this.model, id, consumed_at: null, ...row })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row)).execute();
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return this.findBy('id', id);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy('uid', uid);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy('user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      await db.updateTable('ims_oidc').set({ consumed_at: epoch() }).where('model', '=', this.model).where('id', '=', id).execute();
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('ims_oidc').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('ims_oidc').where('grant_id', '=', grantId).execute();
    }

    private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const row = await db.selectFrom('ims_oidc').select(['payload', 'expires_at', 'consumed_at'])
        .where('model', '=', this.model).where(column, '=', value).executeTakeFirst();
      if (!row) return undefined;
      const expiresAt = toNumber(row.expires_at);
      if (expiresAt !== null && expiresAt <= epoch()) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      const consumed = toNumber(row.consumed_at);
      return consumed === null ? payload : { ...payload, consumed };
    }
  };
}

/** Ends every session, grant, code and token of an account (it is gone, disabled, or its password was reset). */
export async function revokeAccountState(db: ImsDb, accountId: string): Promise<void> {
  await db.deleteFrom('ims_oidc').where('account_id', '=', accountId).execute();
}

/** Deletes expired provider rows; safe to run at any time. */
export async function purgeExpiredOidcState(db: ImsDb, nowMs: number = Date.now()): Promise<number> {
  const result = await db.deleteFrom('ims_oidc').where('expires_at', '<=', Math.floor(nowMs / 1000)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
