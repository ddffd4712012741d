import { identifyHash, LegacyHashError, verifyPassword, type HashFamily } from './legacy-hash.ts';

export interface HashSampleEntry {
  hash: string;
  /** A test account's known password (the product's admin creates a few before exporting). */
  knownPassword: string;
}

export interface HashSampleFailure {
  /** Position in the sample (never the hash itself: it is a secret). */
  index: number;
  family: HashFamily | 'unknown';
  code: 'mismatch' | 'unsupported_format' | 'malformed_hash';
  message: string;
}

export interface HashSampleReport {
  /** True only when every entry verified: an import commits all or nothing. */
  ok: boolean;
  checked: number;
  families: Partial<Record<HashFamily, number>>;
  failures: HashSampleFailure[];
}

/**
 * Checks a sample of exported hashes against known passwords before an import commits. An empty sample is not ok:
 * importing hashes nobody checked is how whole user bases get locked out.
 */
export async function checkHashSample(entries: HashSampleEntry[]): Promise<HashSampleReport> {
  const families: Partial<Record<HashFamily, number>> = {};
  const failures: HashSampleFailure[] = [];
  for (const [index, entry] of entries.entries()) {
    const family = identifyHash(entry.hash);
    if (family) families[family] = (families[family] ?? 0) + 1;
    try {
      const { ok } = await verifyPassword(entry.hash, entry.knownPassword);
      if (!ok) failures.push({ index, family: family ?? 'unknown', code: 'mismatch', message: `entry ${index}: the known password does not match its ${family} hash` });
    } catch (error) {
      if (!(error instanceof LegacyHashError)) throw error;
      failures.push({ index, family: family ?? 'unknown', code: error.code, message: `entry ${index}: ${error.message}` });
    }
  }
  return { ok: entries.length > 0 && failures.length === 0, checked: entries.length, families, failures };
}
