/**
 * One product user from its cells, shared by the CSV and the JSON-lines importers: the same columns, the same
 * value rules (./cell-values.ts), the same messages. Text fields are trimmed; `email` is kept as given because
 * whether an address is valid is a readiness finding (`invalid_email`), not an import error. Lengths are capped
 * (./field-limits.ts): a value over its limit is `too_long`.
 */
import type { AccessGrant, ProductUser, ProductUserStatus } from '../core/model.ts';
import {
  ACCESS_EXPECTED,
  BOOLEAN_EXPECTED,
  INSTANT_EXPECTED,
  parseAccessList,
  parseBooleanText,
  parseInstant,
} from './cell-values.ts';
import { FIELD_LIMITS, tooLongProblem } from './field-limits.ts';

/** Column names as written in the CSV header (snake_case); JSON lines may use camelCase. Order fixes the indexes. */
export const PRODUCT_USER_FIELDS = [
  'id',
  'login',
  'email',
  'email_verified',
  'first_name',
  'last_name',
  'status',
  'api_only',
  'sso',
  'last_login',
  'access',
  'expires_at',
  'locked',
] as const;

export type ProductUserField = (typeof PRODUCT_USER_FIELDS)[number];

export const OPTIONAL_PRODUCT_USER_FIELDS: ReadonlySet<ProductUserField> = new Set(['expires_at', 'locked']);

const F = {
  id: 0,
  login: 1,
  email: 2,
  emailVerified: 3,
  firstName: 4,
  lastName: 5,
  status: 6,
  apiOnly: 7,
  sso: 8,
  lastLogin: 9,
  access: 10,
  expiresAt: 11,
  locked: 12,
} as const;

const STATUSES: ReadonlySet<string> = new Set<ProductUserStatus>(['active', 'invited', 'deactivated']);
const STATUS_EXPECTED = 'active, invited or deactivated';

/** Called once per bad field: `field` indexes PRODUCT_USER_FIELDS; `code` only when it is not the usual form error. */
export type ReportInvalid = (field: number, expected: string, got: string, code?: 'too_long', detail?: string) => void;

/** The longest each text field may be (fields not listed are enumerations, booleans or instants). */
const TEXT_LIMITS: readonly (readonly [number, number])[] = [
  [F.id, FIELD_LIMITS.id],
  [F.login, FIELD_LIMITS.login],
  [F.email, FIELD_LIMITS.email],
  [F.firstName, FIELD_LIMITS.name],
  [F.lastName, FIELD_LIMITS.name],
  [F.access, FIELD_LIMITS.list],
];

/**
 * Builds a user from `values`, where `columns[f]` is the index in `values` of field `f` (-1 when an optional
 * column is absent). Returns undefined when some field was reported.
 */
export function buildProductUser(
  values: readonly string[],
  columns: readonly number[],
  attributes: Record<string, string>,
  report: ReportInvalid,
): ProductUser | undefined {
  // Plain functions, no closures: this runs once per user, a million times per import.
  let ok = true;
  for (const [field, limit] of TEXT_LIMITS) {
    const raw = cellAt(values, columns, field);
    if (raw.length > limit && raw.trim().length > limit) {
      ok = false;
      const p = tooLongProblem(limit, raw.trim());
      report(field, p.expected, p.got, 'too_long', p.detail);
    }
  }
  const id = cellAt(values, columns, F.id).trim();
  if (id === '') {
    ok = false;
    report(F.id, 'a non-empty id', id);
  }
  const rawStatus = cellAt(values, columns, F.status).trim();
  const status = rawStatus.toLowerCase();
  if (!STATUSES.has(status)) {
    ok = false;
    report(F.status, STATUS_EXPECTED, rawStatus);
  }
  const emailVerified = readBoolean(values, columns, F.emailVerified, undefined, report);
  const apiOnly = readBoolean(values, columns, F.apiOnly, undefined, report);
  const sso = readBoolean(values, columns, F.sso, undefined, report);
  const lastLogin = readInstant(values, columns, F.lastLogin, report);
  const rawAccess = cellAt(values, columns, F.access).trim();
  // An over-long cell was reported above; parsing it would only add a second message about the same cell.
  const access = rawAccess.length > FIELD_LIMITS.list ? [] : readAccess(rawAccess);
  if (!Array.isArray(access)) {
    ok = false;
    report(F.access, ACCESS_EXPECTED, access.badEntry);
  }
  const expiresAt = readInstant(values, columns, F.expiresAt, report);
  const locked = readBoolean(values, columns, F.locked, false, report);
  if (
    !ok ||
    emailVerified === undefined ||
    apiOnly === undefined ||
    sso === undefined ||
    lastLogin === undefined ||
    expiresAt === undefined ||
    locked === undefined ||
    !Array.isArray(access)
  ) {
    return undefined;
  }
  return {
    id,
    login: cellAt(values, columns, F.login).trim(),
    email: cellAt(values, columns, F.email).trim(),
    emailVerified,
    firstName: cellAt(values, columns, F.firstName).trim(),
    lastName: cellAt(values, columns, F.lastName).trim(),
    status: status as ProductUserStatus,
    apiOnly,
    sso,
    lastLogin,
    access,
    expiresAt,
    locked,
    attributes,
  };
}

function cellAt(values: readonly string[], columns: readonly number[], field: number): string {
  const i = columns[field] as number;
  return i < 0 ? '' : (values[i] as string);
}

/** A boolean cell; `emptyMeans` is the value of an empty cell, or undefined when it must be filled in. */
function readBoolean(
  values: readonly string[],
  columns: readonly number[],
  field: number,
  emptyMeans: boolean | undefined,
  report: ReportInvalid,
): boolean | undefined {
  const raw = cellAt(values, columns, field).trim();
  if (raw === '' && emptyMeans !== undefined) return emptyMeans;
  const value = parseBooleanText(raw);
  if (value === undefined) report(field, BOOLEAN_EXPECTED, raw);
  return value;
}

/** An instant cell: null when empty, undefined (reported) when malformed. */
function readInstant(values: readonly string[], columns: readonly number[], field: number, report: ReportInvalid): string | null | undefined {
  const raw = cellAt(values, columns, field).trim();
  if (raw === '') return null;
  const value = parseInstant(raw);
  if (value === undefined) report(field, INSTANT_EXPECTED, raw);
  return value;
}

/**
 * Exports repeat a handful of access strings over a million users: parse each distinct one once and share its
 * (frozen) grants; each user still gets its own array. Bounded so a file of all-distinct values cannot grow it.
 */
const accessCache = new Map<string, readonly AccessGrant[]>();
const ACCESS_CACHE_LIMIT = 4096;
/** Only short cells are worth sharing; long ones are rare, and 4096 of them at 64 KiB each would hold 512 MB. */
const ACCESS_CACHE_MAX_KEY = 1024;

function readAccess(raw: string): AccessGrant[] | { badEntry: string } {
  const cached = accessCache.get(raw);
  if (cached !== undefined) return cached.slice();
  const parsed = parseAccessList(raw);
  if (!Array.isArray(parsed)) return parsed;
  if (raw.length > ACCESS_CACHE_MAX_KEY) return parsed;
  if (accessCache.size >= ACCESS_CACHE_LIMIT) accessCache.clear();
  // Cached from a copy of the cell (parsed again, it parsed above): the cell is a cut of a file chunk, and a cached
  // cut would keep the whole chunk (4 MiB) alive.
  const key = ` ${raw}`.slice(1);
  accessCache.set(key, (parseAccessList(key) as AccessGrant[]).map((grant) => Object.freeze(grant)));
  return parsed;
}
