import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import type { ImsDb } from '../ims-tables.ts';

/** How many keys stay published after a rotation: the current one and its predecessor. */
const PUBLISHED_KEYS = 2;

/**
 * The provider's signing keys (RS256), kept in `ims_signing_keys` so every server instance and every restart signs
 * with the same keys. Newest first: oidc-provider signs with the first key and publishes all of them in the JWKS,
 * so tokens signed before a rotation stay verifiable.
 */
export async function loadSigningKeys(db: ImsDb): Promise<JWK[]> {
  const rows = await db.selectFrom('ims_signing_keys').select(['private_jwk']).where('retired_at', 'is', null)
    .orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
  return rows.map((r) => JSON.parse(r.private_jwk) as JWK);
}

/** Generates the first key when there is none (first start). Returns the keys to hand to the provider. */
export async function ensureSigningKeys(db: ImsDb, now: () => Date = () => new Date()): Promise<JWK[]> {
  const keys = await loadSigningKeys(db);
  if (keys.length > 0) return keys;
  await addSigningKey(db, now);
  return loadSigningKeys(db);
}

/** Adds a new current key and retires all but the newest `PUBLISHED_KEYS` (the previous key stays published). */
export async function addSigningKey(db: ImsDb, now: () => Date = () => new Date()): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const kid = `${now().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  await db.transaction().execute(async (trx) => {
    // Keys are ordered by creation time; keep that order strict even for two rotations in one millisecond.
    const newest = await trx.selectFrom('ims_signing_keys').select('created_at').orderBy('created_at', 'desc').executeTakeFirst();
    let instant = now().getTime();
    if (newest && Date.parse(newest.created_at) >= instant) instant = Date.parse(newest.created_at) + 1;
    const at = new Date(instant).toISOString();
    await trx.insertInto('ims_signing_keys').values({ kid, private_jwk: JSON.stringify(jwk), created_at: at, retired_at: null }).execute();
    const live = await trx.selectFrom('ims_signing_keys').select('kid').where('retired_at', 'is', null)
      .orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
    const retire = live.slice(PUBLISHED_KEYS).map((r) => r.kid);
    if (retire.length > 0) await trx.updateTable('ims_signing_keys').set({ retired_at: at }).where('kid', 'in', retire).execute();
  });
  return kid;
}
