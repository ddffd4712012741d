/**
 * The keys that sign Admin API access tokens, kept in `admin_signing_keys` so every process serving the same store
 * verifies every other's tokens and a restart invalidates nothing. One ES256 key is created on first use; older
 * keys stay valid for verification (a rotation only inserts a newer row).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { adminDb, type AdminStoreHandle } from './admin-tables.ts';

export const ACCESS_TOKEN_ALG = 'ES256';

export interface SigningKeys {
  /** The newest key, created when the table is empty. */
  current(): Promise<{ kid: string; privateKey: CryptoKey }>;
  /** The public key for `kid`, or undefined for an unknown kid. */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  /** Adds a new current key (older ones keep verifying until deleted). */
  rotate(): Promise<string>;
}

export function createSigningKeys(store: AdminStoreHandle, options: { now?: () => Date } = {}): SigningKeys {
  const db = adminDb(store);
  const now = options.now ?? (() => new Date());
  let currentKey: Promise<{ kid: string; privateKey: CryptoKey }> | undefined;
  const publicKeys = new Map<string, Promise<CryptoKey | undefined>>();

  async function loadCurrent(): Promise<{ kid: string; privateKey: CryptoKey }> {
    let row = await db.selectFrom('admin_signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').executeTakeFirst();
    if (row === undefined) {
      await insertKey();
      row = await db.selectFrom('admin_signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').executeTakeFirstOrThrow();
    }
    const privateKey = (await importJWK(JSON.parse(row.private_jwk) as JWK, row.alg)) as CryptoKey;
    return { kid: row.kid, privateKey };
  }

  async function insertKey(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
    const kid = randomUUID();
    await db.insertInto('admin_signing_keys').values({
      kid,
      alg: ACCESS_TOKEN_ALG,
      private_jwk: JSON.stringify(await exportJWK(privateKey)),
      public_jwk: JSON.stringify(await exportJWK(publicKey)),
      created_at: now().toISOString(),
    }).execute();
    return kid;
  }

  async function loadPublic(kid: string): Promise<CryptoKey | undefined> {
    const row = await db.selectFrom('admin_signing_keys').select(['public_jwk', 'alg']).where('kid', '=', kid).executeTakeFirst();
    if (row === undefined) return undefined;
    return (await importJWK(JSON.parse(row.public_jwk) as JWK, row.alg)) as CryptoKey;
  }

  return {
    current() {
      currentKey ??= loadCurrent().catch((error: unknown) => {
        currentKey = undefined;
        throw error;
      });
      return currentKey;
    },
    verificationKey(kid) {
      let key = publicKeys.get(kid);
      if (key === undefined) {
        key = loadPublic(kid);
        // Unknown kids are not cached: a forged header must not grow the map.
        void key.then((found) => {
          if (found === undefined) publicKeys.delete(kid);
        }, () => publicKeys.delete(kid));
        publicKeys.set(kid, key);
      }
      return key;
    },
    async rotate() {
      const kid = await insertKey();
      currentKey = undefined;
      return kid;
    },
  };
}
