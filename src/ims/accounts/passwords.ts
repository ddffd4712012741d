import { hash, verify } from '@node-rs/argon2';
import { ImsError } from '../directory/ims-directory.ts';
import { identifyHash, verifyPassword as verifyAnyHash, hashPassword as rehash } from '../passwords/legacy-hash.ts';

/** argon2id (the @node-rs/argon2 default algorithm) with OWASP's minimum parameters: 19 MiB, 2 passes. */
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
/** A real hash of a random string: verifying against it costs the same as a real check (no timing oracle). */
let dummyHash: Promise<string> | undefined;

export function checkPasswordPolicy(password: string): void {
  if (typeof password !== 'string' || [...password].length < 10) {
    throw new ImsError('invalid_input', 'Choose a password of at least 10 characters.');
  }
  if (password.length > 256) throw new ImsError('invalid_input', 'Choose a password of at most 256 characters.');
}

export function hashPassword(password: string): Promise<string> {
  checkPasswordPolicy(password);
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash || !passwordHash.startsWith('$argon2')) {
    dummyHash ??= hash(crypto.randomUUID(), OPTIONS);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

/**
 * Checks a password against the stored hash, which may be an imported legacy hash (bcrypt, scrypt, PBKDF2, older
 * argon2 parameters: the `import_hashes` strategy). On success with a legacy hash, returns the argon2id hash that
 * replaces it, so every imported hash is upgraded at its owner's first sign-in.
 */
export async function verifyAndUpgrade(passwordHash: string | null, password: string): Promise<{ ok: boolean; upgradedHash?: string }> {
  if (!passwordHash || identifyHash(passwordHash) === undefined) return { ok: await verifyPassword(passwordHash, password) };
  const r = await verifyAnyHash(passwordHash, password).catch(() => ({ ok: false, needsRehash: false }));
  if (!r.ok) return { ok: false };
  return r.needsRehash ? { ok: true, upgradedHash: await rehash(password) } : { ok: true };
}
