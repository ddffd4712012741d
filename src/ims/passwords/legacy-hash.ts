/**
 * Verifies password hashes imported from a product, so people keep their password when they move to the IMS.
 * Families: bcrypt (`$2a$`/`$2b$`/`$2y$`), argon2 (`$argon2id$`/`$argon2i$`/`$argon2d$`), scrypt (PHC
 * `$scrypt$ln=,r=,p=$salt$hash`, passlib's form included), PBKDF2-SHA256 (PHC `$pbkdf2-sha256$i=N$salt$hash` or
 * passlib's `$pbkdf2-sha256$N$...`, and Django's `pbkdf2_sha256$N$salt$hash`).
 * Every successful check of a non-argon2id hash says `needsRehash`: the caller stores `hashPassword(password)`.
 */
import { hash as argon2Hash, parseOptions, verify as argon2Verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { pbkdf2, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';

export type HashFamily = 'bcrypt' | 'argon2' | 'scrypt' | 'pbkdf2-sha256' | 'django-pbkdf2-sha256';

export interface VerifyResult {
  ok: boolean;
  /** True when the password matched but the stored hash is not current argon2id: store a fresh hash now. */
  needsRehash: boolean;
}

/** argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane): the same as the IMS's own account passwords. */
export const CURRENT_ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const ARGON2ID = 2; // Algorithm.Argon2id of @node-rs/argon2 (a const enum: not importable under type stripping)

/** Limits on imported parameters: a hostile import must not make one check take minutes or gigabytes. */
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

export function identifyHash(hash: string): HashFamily | undefined {
  if (/^\$2[aby]\$\d{2}\$/.test(hash)) return 'bcrypt';
  if (/^\$argon2(id|i|d)\$/.test(hash)) return 'argon2';
  if (hash.startsWith('$scrypt$')) return 'scrypt';
  if (hash.startsWith('$pbkdf2-sha256$')) return 'pbkdf2-sha256';
  if (hash.startsWith('pbkdf2_sha256$')) return 'django-pbkdf2-sha256';
  return undefined;
}

export class LegacyHashError extends Error {
  readonly code: 'unsupported_format' | 'malformed_hash';
  constructor(code: 'unsupported_format' | 'malformed_hash', message: string) {
    super(message);
    this.name = 'LegacyHashError';
    this.code = code;
  }
}

/**
 * Checks `password` against any supported hash. A wrong password is `{ ok: false }`; an unreadable or unsupported
 * hash throws LegacyHashError (an import problem, not a sign-in problem).
 */
export async function verifyPassword(hash: string, password: string): Promise<VerifyResult> {
  const family = identifyHash(hash);
  switch (family) {
    case 'bcrypt':
      return { ok: await verifyBcrypt(hash, password), needsRehash: true };
    case 'argon2':
      return verifyArgon2(hash, password);
    case 'scrypt':
      return { ok: await verifyScrypt(hash, password), needsRehash: true };
    case 'pbkdf2-sha256':
      return { ok: await verifyPhcPbkdf2(hash, password), needsRehash: true };
    case 'django-pbkdf2-sha256':
      return { ok: await verifyDjangoPbkdf2(hash, password), needsRehash: true };
    case undefined:
      throw new LegacyHashError('unsupported_format', `unsupported hash format (${describePrefix(hash)})`);
  }
}

/** A fresh argon2id hash in PHC format. */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, { ...CURRENT_ARGON2, algorithm: ARGON2ID as never });
}

async function verifyBcrypt(hash: string, password: string): Promise<boolean> {
  if (!/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(hash)) throw new LegacyHashError('malformed_hash', 'bcrypt hash must be 60 characters');
  // `$2y$` (PHP) and `$2b$` (OpenBSD) are the same algorithm as `$2a$` for inputs bcryptjs accepts.
  return bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
}

async function verifyArgon2(hash: string, password: string): Promise<VerifyResult> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(hash);
  } catch {
    throw new LegacyHashError('malformed_hash', 'argon2 hash is not a valid PHC string');
  }
  if (options.memoryCost > MAX_SCRYPT_MEMORY / 1024) throw new LegacyHashError('malformed_hash', 'argon2 memory cost is beyond the import limit');
  const ok = await argon2Verify(hash, password).catch(() => false);
  const current = options.algorithm === ARGON2ID && options.memoryCost >= CURRENT_ARGON2.memoryCost
    && options.timeCost >= CURRENT_ARGON2.timeCost;
  return { ok, needsRehash: ok && !current };
}

/** `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>`; salt and hash in (adapted) base64. */
async function verifyScrypt(hash: string, password: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length !== 5) throw new LegacyHashError('malformed_hash', 'scrypt hash must be $scrypt$params$salt$hash');
  const params = parsePhcParams(parts[2]!);
  const ln = params.get('ln');
  const r = params.get('r');
  const p = params.get('p');
  if (ln === undefined || r === undefined || p === undefined || ln < 1 || ln > 30 || r < 1 || p < 1) {
    throw new LegacyHashError('malformed_hash', 'scrypt parameters must be ln=,r=,p=');
  }
  const N = 2 ** ln;
  const maxmem = 128 * N * r + 1024 * 1024 * (p + 1);
  if (maxmem > MAX_SCRYPT_MEMORY) throw new LegacyHashError('malformed_hash', 'scrypt parameters are beyond the import limit');
  const salt = decodeB64(parts[3]!);
  const expected = decodeB64(parts[4]!);
  if (expected.length === 0) throw new LegacyHashError('malformed_hash', 'scrypt hash is empty');
  const actual = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem });
  return timingSafeEqual(actual, expected);
}

/** PHC `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>` and passlib's `$pbkdf2-sha256$<iterations>$...`. */
async function verifyPhcPbkdf2(hash: string, password: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length !== 5) throw new LegacyHashError('malformed_hash', 'pbkdf2-sha256 hash must be $pbkdf2-sha256$i=N$salt$hash');
  const iterations = /^\d+$/.test(parts[2]!) ? Number(parts[2]) : parsePhcParams(parts[2]!).get('i');
  return pbkdf2Matches(password, decodeB64(parts[3]!), iterations, decodeB64(parts[4]!));
}

/** Django: `pbkdf2_sha256$<iterations>$<salt as text>$<base64 hash>`. */
async function verifyDjangoPbkdf2(hash: string, password: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length !== 4 || !/^\d+$/.test(parts[1]!)) {
    throw new LegacyHashError('malformed_hash', 'Django hash must be pbkdf2_sha256$iterations$salt$hash');
  }
  return pbkdf2Matches(password, parts[2]!, Number(parts[1]), Buffer.from(parts[3]!, 'base64'));
}

async function pbkdf2Matches(password: string, salt: BinaryLike, iterations: number | undefined, expected: Buffer): Promise<boolean> {
  if (iterations === undefined || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new LegacyHashError('malformed_hash', 'pbkdf2 iteration count is missing or beyond the import limit');
  }
  if (expected.length === 0) throw new LegacyHashError('malformed_hash', 'pbkdf2 hash is empty');
  const actual = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(password, salt, iterations, expected.length, 'sha256', (error, key) => (error ? reject(error) : resolve(key))));
  return timingSafeEqual(actual, expected);
}

function parsePhcParams(text: string): Map<string, number> {
  const params = new Map<string, number>();
  for (const pair of text.split(',')) {
    const [key, value] = pair.split('=');
    if (key === undefined || value === undefined || !/^\d+$/.test(value)) {
      throw new LegacyHashError('malformed_hash', `hash parameter "${pair}" is not name=number`);
    }
    params.set(key, Number(value));
  }
  return params;
}

/** PHC uses unpadded standard base64; passlib writes `.` for `+`. Both decode here. */
function decodeB64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/.]*={0,2}$/.test(text)) throw new LegacyHashError('malformed_hash', 'salt or hash is not base64');
  return Buffer.from(text.replace(/\./g, '+'), 'base64');
}

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** Never echo a hash into a message: only its scheme prefix. */
function describePrefix(hash: string): string {
  const prefix = /^\$?[A-Za-z0-9_-]{1,20}\$/.exec(hash)?.[0];
  return prefix ? `starts with "${prefix}"` : 'no recognisable prefix';
}
