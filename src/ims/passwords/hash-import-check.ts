/**
 * The gate in front of an `import_hashes` migration: before anything is committed, the product's exported hashes
 * are checked against a sample of known test passwords (`--hash-sample FILE`), and every hash in the export must be
 * of a supported family. Any failure refuses the whole import (all or nothing): a half-imported user base, where
 * some people keep their password and others are silently locked out, is worse than none.
 */
import type { ProductUser } from '../../core/model.ts';
import { checkHashSample, type HashSampleFailure } from './hash-sample.ts';
import { identifyHash, type HashFamily } from './legacy-hash.ts';
import { PasswordError } from './password-error.ts';

/** The product users export column (kept in `ProductUser.attributes`) that carries the password hash. */
export const PASSWORD_HASH_ATTRIBUTE = 'password_hash';

/** One line of the hash-sample file: a test account of the product and its known password. */
export interface HashSampleLine {
  userId: string;
  password: string;
}

export type HashImportFailure =
  | (Omit<HashSampleFailure, 'index'> & { userId: string })
  | { userId: string; family: 'unknown'; code: 'unknown_user' | 'no_hash'; message: string };

export interface HashImportReport {
  /** True only when every sample entry verified, every family in the export was sampled and every hash is supported. */
  ok: boolean;
  users: number;
  withHash: number;
  /** People without a hash get an invitation instead (the provisioner falls back to `invite` for them). */
  withoutHash: number;
  families: Partial<Record<HashFamily, number>>;
  /** Users whose hash no supported family reads (at most 20 listed; `unsupportedCount` has them all). */
  unsupported: { userId: string; prefix: string }[];
  unsupportedCount: number;
  /** Families present in the export that no sample entry checked. */
  unsampledFamilies: HashFamily[];
  sampleChecked: number;
  sampleFailures: HashImportFailure[];
}

/** Reads the JSON-lines sample file. Errors name the line, never the password. */
export function parseHashSample(text: string, source: string): HashSampleLine[] {
  const out: HashSampleLine[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new PasswordError('hash_sample_invalid', `${source}:${i + 1}: not JSON (expected { "userId": "...", "password": "..." })`);
    }
    const v = value as { userId?: unknown; password?: unknown };
    if (typeof v?.userId !== 'string' || v.userId === '' || typeof v.password !== 'string') {
      throw new PasswordError('hash_sample_invalid', `${source}:${i + 1}: expected { "userId": string, "password": string }`);
    }
    out.push({ userId: v.userId, password: v.password });
  });
  return out;
}

export async function checkHashImport(users: readonly ProductUser[], sample: readonly HashSampleLine[]): Promise<HashImportReport> {
  const families: Partial<Record<HashFamily, number>> = {};
  const unsupported: { userId: string; prefix: string }[] = [];
  let unsupportedCount = 0;
  let withHash = 0;
  const hashes = new Map<string, string>();
  for (const user of users) {
    const hash = hashOf(user);
    if (hash === undefined) continue;
    withHash++;
    hashes.set(user.id, hash);
    const family = identifyHash(hash);
    if (family) families[family] = (families[family] ?? 0) + 1;
    else if (unsupportedCount++ < 20) unsupported.push({ userId: user.id, prefix: prefixOf(hash) });
  }

  const sampleFailures: HashImportFailure[] = [];
  const entries: { userId: string; hash: string; knownPassword: string }[] = [];
  for (const line of sample) {
    const hash = hashes.get(line.userId);
    if (hash !== undefined) entries.push({ userId: line.userId, hash, knownPassword: line.password });
    else if (users.some((u) => u.id === line.userId)) sampleFailures.push({ userId: line.userId, family: 'unknown', code: 'no_hash', message: `sample user ${line.userId} has no ${PASSWORD_HASH_ATTRIBUTE} in the export` });
    else sampleFailures.push({ userId: line.userId, family: 'unknown', code: 'unknown_user', message: `sample user ${line.userId} is not in the export` });
  }
  const checked = await checkHashSample(entries);
  for (const f of checked.failures) {
    const userId = entries[f.index]!.userId;
    sampleFailures.push({ userId, family: f.family, code: f.code, message: f.message.replace(/^entry \d+/, `sample user ${userId}`) });
  }
  const sampled = new Set(entries.map((e) => identifyHash(e.hash)));
  const unsampledFamilies = (Object.keys(families) as HashFamily[]).filter((f) => !sampled.has(f));
  return {
    ok: withHash > 0 && sample.length > 0 && sampleFailures.length === 0 && unsupportedCount === 0 && unsampledFamilies.length === 0,
    users: users.length,
    withHash,
    withoutHash: users.length - withHash,
    families,
    unsupported,
    unsupportedCount,
    unsampledFamilies,
    sampleChecked: entries.length,
    sampleFailures,
  };
}

/** The report as lines for a person (CLI output): what was checked, and why the import was refused. */
export function formatHashImportReport(report: HashImportReport): string {
  const families = Object.entries(report.families).map(([f, n]) => `${f} ${n}`).join(', ') || 'none';
  const lines = [
    `password hashes: ${report.withHash} of ${report.users} users (${families}); ${report.withoutHash} without a hash will get an invitation`,
    `hash sample: ${report.sampleChecked} known passwords checked, ${report.sampleFailures.length} failed`,
  ];
  if (report.withHash === 0) lines.push(`refused: the export has no ${PASSWORD_HASH_ATTRIBUTE} column values`);
  if (report.sampleChecked === 0 && report.sampleFailures.length === 0) lines.push('refused: the hash sample is empty (give --hash-sample FILE with test accounts and their known passwords)');
  for (const f of report.sampleFailures) lines.push(`refused: ${f.message} (${f.code})`);
  for (const f of report.unsampledFamilies) lines.push(`refused: no sample entry checks the ${f} hashes (${report.families[f]} users); add a test account using that family`);
  if (report.unsupportedCount > 0) {
    lines.push(`refused: ${report.unsupportedCount} hashes are of no supported family (bcrypt, argon2, scrypt, PBKDF2-SHA256): ${report.unsupported.map((u) => `${u.userId} (${u.prefix})`).join(', ')}${report.unsupportedCount > report.unsupported.length ? ', ...' : ''}`);
  }
  lines.push(report.ok ? 'ok: every check passed; the hashes may be imported' : 'nothing was imported');
  return lines.join('\n');
}

/** Throws `hash_sample_failed` with the formatted report unless it passed. */
export function requirePassedHashImport(report: HashImportReport | undefined): void {
  if (!report) throw new PasswordError('hash_sample_missing', 'import_hashes needs a checked hash sample: give --hash-sample FILE (JSON lines { "userId", "password" } of test accounts)');
  if (!report.ok) throw new PasswordError('hash_sample_failed', formatHashImportReport(report));
}

export function hashOf(user: Pick<ProductUser, 'attributes'>): string | undefined {
  const value = user.attributes?.[PASSWORD_HASH_ATTRIBUTE]?.trim();
  return value ? value : undefined;
}

/** Never a hash in a report: only its scheme prefix. */
function prefixOf(hash: string): string {
  const prefix = /^\$?[A-Za-z0-9_-]{1,20}\$/.exec(hash)?.[0];
  return prefix ? `starts with "${prefix}"` : `${hash.length} characters, no scheme prefix`;
}
