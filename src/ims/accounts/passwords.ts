import { hash, verify } from '@node-rs/argon2';
import { ImsError } from '../directory/ims-directory.ts';

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
