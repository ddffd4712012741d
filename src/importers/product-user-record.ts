/**
 * One product user from its cells, shared by the CSV and the JSON-lines importers: the same columns, the same
 * value rules (./cell-values.ts), the same messages. Text fields are trimmed; `email` is kept as given because
 * whether an address is valid is a readiness finding (`invalid_email`), not an import error.
 */
import type { ProductUser, ProductUserStatus } from '../core/model.ts';
import {
  ACCESS_EXPECTED,
  BOOLEAN_EXPECTED,
  INSTANT_EXPECTED,
  parseAccessList,
  parseBooleanText,
  parseInstant,
} from './cell-values.ts';

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

/** Called once per bad field: `field` indexes PRODUCT_USER_FIELDS. */
export type ReportInvalid = (field: number, expected: string, got: string) => void;

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
  let ok = true;
  const cell = (f: number): string => {
    const i = columns[f] as number;
    return i < 0 ? '' : (values[i] as string);
  };
  const bool = (f: number, emptyMeans?: boolean): boolean => {
    const raw = cell(f).trim();
    if (raw === '' && emptyMeans !== undefined) return emptyMeans;
    const value = parseBooleanText(raw);
    if (value === undefined) {
      ok = false;
      report(f, BOOLEAN_EXPECTED, raw);
      return false;
    }
    return value;
  };
  const instant = (f: number): string | null => {
    const raw = cell(f).trim();
    if (raw === '') return null;
    const value = parseInstant(raw);
    if (value === undefined) {
      ok = false;
      report(f, INSTANT_EXPECTED, raw);
      return null;
    }
    return value;
  };

  const id = cell(F.id).trim();
  if (id === '') {
    ok = false;
    report(F.id, 'a non-empty id', id);
  }
  const rawStatus = cell(F.status).trim();
  const status = rawStatus.toLowerCase();
  if (!STATUSES.has(status)) {
    ok = false;
    report(F.status, STATUS_EXPECTED, rawStatus);
  }
  const emailVerified = bool(F.emailVerified);
  const apiOnly = bool(F.apiOnly);
  const sso = bool(F.sso);
  const lastLogin = instant(F.lastLogin);
  const rawAccess = cell(F.access).trim();
  let access = parseAccessList(rawAccess);
  if (!Array.isArray(access)) {
    ok = false;
    report(F.access, ACCESS_EXPECTED, access.badEntry);
    access = [];
  }
  const expiresAt = instant(F.expiresAt);
  const locked = bool(F.locked, false);
  if (!ok) return undefined;
  return {
    id,
    login: cell(F.login).trim(),
    email: cell(F.email).trim(),
    emailVerified,
    firstName: cell(F.firstName).trim(),
    lastName: cell(F.lastName).trim(),
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
