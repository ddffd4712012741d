/**
 * Typed values shared by the CSV and JSON-lines importers. Each parser returns `undefined` for a value it does not
 * accept; the caller reports it with the matching `*_EXPECTED` words. Decisions:
 * - Booleans: `true`/`false` in any letter case, and `1`/`0` (database exports). Anything else, `yes`/`no`
 *   included, is an error: a column of yes/no is more often a column mapped to the wrong header than a boolean.
 * - Instants: ISO-8601 / RFC 3339 date-times WITH a zone (`Z`, `+02:00`, `+0200`, `+02`), `T` or a space between
 *   date and time, optional seconds and fraction; or a plain date, read as midnight UTC. A date-time without a zone
 *   is refused: which zone it meant is a guess. Calendar checked (no 2024-02-30). Normalised with `toISOString`.
 * - Access: `workspace/partition:role` entries separated by `;`; spaces around parts and empty entries (a trailing
 *   `;`) are ignored; `/`, `:` and `;` cannot appear inside a name.
 */
import type { AccessGrant } from '../core/model.ts';

export const BOOLEAN_EXPECTED = 'true or false';
export const INSTANT_EXPECTED = 'an ISO-8601 date-time with a zone like 2024-05-01T09:30:00Z, or a date like 2024-05-01';
export const ACCESS_EXPECTED = 'workspace/partition:role entries separated by ";"';

export function parseBooleanText(raw: string): boolean | undefined {
  switch (raw.length) {
    case 1:
      return raw === '1' ? true : raw === '0' ? false : undefined;
    case 4:
      return raw.toLowerCase() === 'true' ? true : undefined;
    case 5:
      return raw.toLowerCase() === 'false' ? false : undefined;
    default:
      return undefined;
  }
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?))?$/;

/** An ISO-8601 instant, normalised to `YYYY-MM-DDTHH:mm:ss.sssZ`; `undefined` when not one (see the header). */
export function parseInstant(raw: string): string | undefined {
  // Exports mostly hold the normalised form already: check it digit by digit, no regex, no Date.
  if ((raw.length === 24 || raw.length === 20) && isCanonicalUtc(raw)) return raw.length === 24 ? raw : `${raw.slice(0, 19)}.000Z`;
  const m = INSTANT.exec(raw);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  let ms = Date.UTC(year, month - 1, day);
  if (m[4] !== undefined) {
    const hour = Number(m[4]);
    const minute = Number(m[5]);
    const second = m[6] === undefined ? 0 : Number(m[6]);
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
    ms += ((hour * 60 + minute) * 60 + second) * 1000 + fraction;
    const zone = m[8] as string;
    if (zone !== 'Z' && zone !== 'z') {
      const digits = zone.slice(1).replace(':', '');
      const offHours = Number(digits.slice(0, 2));
      const offMinutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
      if (offHours > 23 || offMinutes > 59) return undefined;
      ms -= (zone[0] === '-' ? -1 : 1) * (offHours * 60 + offMinutes) * 60_000;
    }
  }
  return new Date(ms).toISOString();
}

/** `YYYY-MM-DDTHH:mm:ssZ` or `YYYY-MM-DDTHH:mm:ss.sssZ` with every field in range. */
function isCanonicalUtc(raw: string): boolean {
  const long = raw.length === 24;
  if (raw.charCodeAt(4) !== 45 || raw.charCodeAt(7) !== 45 || raw.charCodeAt(10) !== 84 || raw.charCodeAt(13) !== 58 || raw.charCodeAt(16) !== 58) return false;
  if (raw.charCodeAt(raw.length - 1) !== 90 || (long && raw.charCodeAt(19) !== 46)) return false;
  const year = digits(raw, 0, 4);
  const month = digits(raw, 5, 2);
  const day = digits(raw, 8, 2);
  const hour = digits(raw, 11, 2);
  const minute = digits(raw, 14, 2);
  const second = digits(raw, 17, 2);
  if (long && digits(raw, 20, 3) < 0) return false;
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

/** The number written by `count` ASCII digits at `at`, or -1. */
function digits(raw: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = raw.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The grants of an `access` cell, or `{ badEntry }` naming the first entry that is not `workspace/partition:role`. */
export function parseAccessList(raw: string): AccessGrant[] | { badEntry: string } {
  const grants: AccessGrant[] = [];
  if (raw === '') return grants;
  for (const piece of raw.split(';')) {
    const entry = piece.trim();
    if (entry === '') continue;
    const grant = parseAccessEntry(entry);
    if (grant === undefined) return { badEntry: entry };
    grants.push(grant);
  }
  return grants;
}

/** One `workspace/partition:role` (no `/`, `:` or `;` inside a part, no empty part), or undefined. */
export function parseAccessEntry(entry: string): AccessGrant | undefined {
  const slash = entry.indexOf('/');
  const colon = entry.indexOf(':', slash + 1);
  if (slash < 0 || colon < 0 || entry.indexOf('/', slash + 1) >= 0 || entry.indexOf(':', colon + 1) >= 0) return undefined;
  if (entry.lastIndexOf(':', slash) >= 0 || entry.indexOf(';') >= 0) return undefined;
  const workspace = entry.slice(0, slash).trim();
  const partition = entry.slice(slash + 1, colon).trim();
  const role = entry.slice(colon + 1).trim();
  if (workspace === '' || partition === '' || role === '') return undefined;
  return { workspace, partition, role };
}

/** Header and JSON key matching: letter case, spaces, `_` and `-` do not matter (`Email Verified` = `emailVerified`). */
export function normaliseFieldName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

/** Sets an own property even for the key `__proto__` (a header may say anything). */
export function setAttribute(attributes: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
  else attributes[key] = value;
}
