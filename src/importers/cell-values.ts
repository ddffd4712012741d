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

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const ACCESS_ENTRY = /^([^/:;]+)\/([^/:;]+):([^/:;]+)$/;

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

export function parseAccessEntry(entry: string): AccessGrant | undefined {
  const m = ACCESS_ENTRY.exec(entry);
  if (m === null) return undefined;
  const workspace = (m[1] as string).trim();
  const partition = (m[2] as string).trim();
  const role = (m[3] as string).trim();
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
