/**
 * The IMS directory as the Admin Console exports it (Users CSV): `Identity Type,Username,Domain,Email,First Name,
 * Last Name,Country Code,ID,Product Configurations,Admin Roles,Product Configurations Administered,User Groups,
 * User Groups Administered,Products Administered,Developer Access,Auto Assigned Products`, UTF-8 with a BOM.
 * Required: Identity Type, Username, Email. Optional extras: `Email Verified` (true/false, ./cell-values.ts) and
 * `Status` (active|disabled|locked, empty = active). Headers match whatever their letter case, spaces, `_` or `-`;
 * columns the model has no field for (User Groups, ...) are kept verbatim in `attributes`.
 *
 * Decisions:
 * - Identity Type: `Adobe ID`/`Personal` -> personal, `Enterprise ID`/`Enterprise` -> enterprise, `Federated ID`/
 *   `Federated` -> federated (also the UMAPI spellings `adobeID`, `enterpriseID`, `federatedID`).
 * - Email verification. The export has no such column: an Enterprise or Federated ID in a domain the organization
 *   has claimed (`claimedDomains`, from the subscription) is verified, because the organization proved it owns the
 *   domain; nothing else is, unless an `Email Verified` column says so. A claimed domain wins over that column.
 *   Personal accounts are never verified by a claim: the person, not the organization, controls them.
 * - Domain: the `Domain` cell, else the part of the email after the last `@`; lower-case ASCII (IDNA), by the same
 *   rule as every address (core/email `toAsciiDomain`). A `Domain` cell that is not a domain name is an error; a
 *   domain taken from an email that has none (or a malformed one) is left empty, so it matches no claimed domain:
 *   whether the address itself is usable is a readiness finding, not an import error.
 * - Username: empty means the email (Adobe IDs sign in with their email).
 * - Country Code: two upper-case letters (ISO 3166-1 alpha-2) or empty; it cannot be changed later in the Admin
 *   Console, so a wrong one is an error rather than a guess.
 * - Multi-valued cells (Product Configurations, Admin Roles): comma-separated, trimmed, empties dropped.
 * - A non-empty ID must be unique in the file.
 * - Lengths are capped (./field-limits.ts): ID 128, Username 320, Email 320, names 256, multi-valued cells and
 *   extra columns 64 Ki characters; a longer value is `too_long`.
 */
import { toAsciiDomain } from '../core/email/normalize-email.ts';
import type { ImsAccount, ImsAccountStatus, ImsIdentityType } from '../core/model.ts';
import { BOOLEAN_EXPECTED, normaliseFieldName, parseBooleanText } from './cell-values.ts';
import { readExtraColumns } from './csv-extras.ts';
import { FIELD_LIMITS, tooLongProblem } from './field-limits.ts';
import { readCsv, type CsvTable } from './csv-reader.ts';
import { readCsvChunks } from './csv-stream.ts';
import { mapCsvHeader } from './csv-header.ts';
import { DEFAULT_MAX_ERRORS, ImportErrorCollector } from './import-error.ts';
import { readTextChunks, readTextFile } from './text-file.ts';

export interface ImsDirectoryOptions {
  /** Domains the target IMS organization has claimed: its Enterprise and Federated IDs there count as verified. */
  claimedDomains?: readonly string[];
  maxErrors?: number;
}

const COLUMNS = [
  'Identity Type',
  'Username',
  'Domain',
  'Email',
  'First Name',
  'Last Name',
  'Country Code',
  'ID',
  'Product Configurations',
  'Admin Roles',
  'Email Verified',
  'Status',
] as const;
const REQUIRED: ReadonlySet<string> = new Set(['Identity Type', 'Username', 'Email']);
const C = { type: 0, username: 1, domain: 2, email: 3, firstName: 4, lastName: 5, country: 6, id: 7, configs: 8, roles: 9, verified: 10, status: 11 } as const;

const IDENTITY_TYPES: ReadonlyMap<string, ImsIdentityType> = new Map([
  ['adobeid', 'personal'],
  ['personal', 'personal'],
  ['enterpriseid', 'enterprise'],
  ['enterprise', 'enterprise'],
  ['federatedid', 'federated'],
  ['federated', 'federated'],
]);
const STATUSES: ReadonlySet<string> = new Set<ImsAccountStatus>(['active', 'disabled', 'locked']);
const COUNTRY = /^[A-Z]{2}$/;
/** The longest each text column may be; the others are enumerations, booleans or country codes. */
const TEXT_LIMITS: readonly (readonly [number, number])[] = [
  [C.id, FIELD_LIMITS.id],
  [C.username, FIELD_LIMITS.login],
  [C.email, FIELD_LIMITS.email],
  [C.domain, FIELD_LIMITS.domain],
  [C.firstName, FIELD_LIMITS.name],
  [C.lastName, FIELD_LIMITS.name],
  [C.configs, FIELD_LIMITS.list],
  [C.roles, FIELD_LIMITS.list],
];

export function parseImsDirectoryCsv(text: string, file: string, options: ImsDirectoryOptions = {}): ImsAccount[] {
  const errors = new ImportErrorCollector(options.maxErrors ?? DEFAULT_MAX_ERRORS);
  const accounts = [...imsAccountsFromCsv(readCsv(text, file, errors), file, errors, options)];
  errors.throwIfAny();
  return accounts;
}

/** The accounts of an Admin Console CSV table one by one; problems go to `errors`, thrown by the caller at the end. */
export function* imsAccountsFromCsv(table: CsvTable, file: string, errors: ImportErrorCollector, options: ImsDirectoryOptions = {}): Generator<ImsAccount> {
  const claimed = new Set((options.claimedDomains ?? []).flatMap((d) => toAsciiDomain(d) ?? []));
  // Exports repeat a few domains over many accounts: IDNA once per distinct domain.
  const domainCache = new Map<string, string>();
  if (table.header.length === 0) {
    errors.add({ code: 'empty_file', file, detail: `the file is empty; expected the Admin Console header: ${COLUMNS.slice(0, 10).join(',')},...` });
  }
  const { columns, extras } = mapCsvHeader(table.header, COLUMNS, (name) => REQUIRED.has(name), file, errors);
  errors.throwIfAny();

  const seen = new Map<string, number>();
  for (const row of table.rows) {
    const values = row.values;
    let ok = true;
    const cell = (c: number): string => {
      const i = columns[c] as number;
      return i < 0 ? '' : (values[i] as string).trim();
    };
    const invalid = (c: number, expected: string, got: string, detail?: string, code: 'invalid_value' | 'too_long' = 'invalid_value'): void => {
      ok = false;
      const at = table.locate(row, columns[c] as number);
      errors.add({ code, file, ...at, field: table.header[columns[c] as number]?.value.trim(), expected, got, detail });
    };
    for (const [c, limit] of TEXT_LIMITS) {
      const text = cell(c);
      if (text.length <= limit) continue;
      const p = tooLongProblem(limit, text);
      invalid(c, p.expected, p.got, p.detail, 'too_long');
    }
    if (!ok) continue;

    const rawType = cell(C.type);
    const type = IDENTITY_TYPES.get(normaliseFieldName(rawType));
    if (type === undefined) invalid(C.type, 'Adobe ID, Enterprise ID or Federated ID', rawType);
    const email = cell(C.email);
    const at = email.lastIndexOf('@');
    const domainCell = cell(C.domain);
    const domain = toAsciiDomain(domainCell || (at < 0 ? '' : email.slice(at + 1)), domainCache) ?? '';
    if (domainCell !== '' && domain === '') invalid(C.domain, 'a domain name like example.com', domainCell);
    const rawStatus = cell(C.status);
    const status = rawStatus === '' ? 'active' : rawStatus.toLowerCase();
    if (!STATUSES.has(status)) invalid(C.status, 'active, disabled or locked', rawStatus);
    const countryCode = cell(C.country);
    if (countryCode !== '' && !COUNTRY.test(countryCode)) invalid(C.country, 'two upper-case letters (ISO 3166-1 alpha-2, e.g. US)', countryCode);
    const rawVerified = cell(C.verified);
    let listedVerified = false;
    if (rawVerified !== '') {
      const parsed = parseBooleanText(rawVerified);
      if (parsed === undefined) invalid(C.verified, BOOLEAN_EXPECTED, rawVerified);
      else listedVerified = parsed;
    }
    const id = cell(C.id);
    if (!ok || type === undefined) continue;
    if (id !== '') {
      const first = seen.get(id);
      if (first !== undefined) {
        errors.add({ code: 'duplicate_id', file, ...table.locate(row, columns[C.id] as number), field: 'ID', expected: 'a unique ID', got: id, detail: `also on line ${first}` });
        continue;
      }
      seen.set(id, row.line);
    }
    const attributes = readExtraColumns(table, row, extras, file, errors);
    if (attributes === undefined) continue;
    yield {
      id,
      type,
      username: cell(C.username) || email,
      domain,
      email,
      emailVerified: (type !== 'personal' && claimed.has(domain)) || listedVerified,
      firstName: cell(C.firstName),
      lastName: cell(C.lastName),
      countryCode,
      status: status as ImsAccountStatus,
      productConfigurations: splitList(cell(C.configs)),
      adminRoles: splitList(cell(C.roles)),
      attributes,
    };
  }
}

function splitList(raw: string): string[] {
  if (raw === '') return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function readImsDirectory(path: string, options: ImsDirectoryOptions = {}): ImsAccount[] {
  return parseImsDirectoryCsv(readTextFile(path), path, options);
}

/** The accounts of an export one by one, the file read in chunks; problems are thrown once it is read to the end. */
export function* streamImsDirectory(path: string, options: ImsDirectoryOptions = {}): Generator<ImsAccount, void, undefined> {
  const errors = new ImportErrorCollector(options.maxErrors ?? DEFAULT_MAX_ERRORS);
  yield* imsAccountsFromCsv(readCsvChunks(readTextChunks(path), path, errors), path, errors, options);
  errors.throwIfAny();
}
