import { hash, verify } from '@node-rs/argon2';

/** argon2id at the IMS's cost (19 MiB, t=2), so the password and IMS sign-in benchmarks compare like with like. */
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
let dummy: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** A missing hash costs as much as a wrong password: no timing oracle for which logins exist. */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummy ??= hash(crypto.randomUUID(), OPTIONS);
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
