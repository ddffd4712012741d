import { createHash, randomBytes } from 'node:crypto';

/** A random bearer secret and the hash kept in the database (a stolen database holds no usable token). */
export function newSecretToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
