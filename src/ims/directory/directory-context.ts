import { domainToASCII } from 'node:url';
import type { ImsDb, ImsTables } from '../ims-tables.ts';
import { timeOrderedUuid } from './time-ordered-id.ts';
import {
  ImsError,
  type AccountStatus,
  type AccountType,
  type ImsAccountRecord,
  type ImsOrgAccount,
} from './ims-directory.ts';

/** Capabilities shared by the directory's parts: the database, a clock and an id source (injected for tests). */
export interface DirectoryContext {
  db: ImsDb;
  now: () => Date;
  newId: () => string;
}

export function createDirectoryContext(db: ImsDb, options: { now?: () => Date; newId?: () => string } = {}): DirectoryContext {
  return { db, now: options.now ?? (() => new Date()), newId: options.newId ?? (() => timeOrderedUuid()) };
}

/**
 * Look-up form of an email: trimmed, NFC, lower-case, domain in ASCII (IDNA). Local parts are case-folded: the
 * IMS treats `Ann@x` and `ann@x` as one address, as nearly every mail system does.
 */
export function normalizeEmail(email: string): string {
  const trimmed = email.trim().normalize('NFC');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) throw new ImsError('invalid_input', 'email must look like name@domain');
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase());
  if (domain === '') throw new ImsError('invalid_input', 'email domain is not a valid domain name');
  return `${trimmed.slice(0, at).toLowerCase()}@${domain}`;
}

export function normalizeDomain(domain: string): string {
  const ascii = domainToASCII(domain.trim().toLowerCase().replace(/\.$/, ''));
  if (ascii === '' || !ascii.includes('.')) throw new ImsError('invalid_input', `"${domain}" is not a domain name`);
  return ascii;
}

export function checkEmail(email: string): string {
  if (typeof email !== 'string' || email.length > 254) throw new ImsError('invalid_input', 'email is too long');
  return normalizeEmail(email);
}

const accountTypes: readonly string[] = ['personal', 'enterprise', 'federated'];
const accountStatuses: readonly string[] = ['active', 'disabled', 'locked'];

export function checkType(type: string): AccountType {
  if (!accountTypes.includes(type)) throw new ImsError('invalid_input', `type must be one of ${accountTypes.join(', ')}`);
  return type as AccountType;
}

export function checkStatus(status: string): AccountStatus {
  if (!accountStatuses.includes(status)) throw new ImsError('invalid_input', `status must be one of ${accountStatuses.join(', ')}`);
  return status as AccountStatus;
}

export type AccountRow = ImsTables['ims_accounts'];

export function toAccount(row: AccountRow): ImsAccountRecord {
  return {
    id: row.id,
    email: row.email,
    emailNormalized: row.email_norm,
    emailVerified: Number(row.email_verified) === 1,
    type: row.type as AccountType,
    ownerOrgId: row.owner_org_id,
    firstName: row.first_name,
    lastName: row.last_name,
    userName: row.user_name,
    status: row.status as AccountStatus,
    passwordHash: row.password_hash,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toOrgAccount(row: AccountRow & { org_id: string; external_id: string | null; joined_at: string }): ImsOrgAccount {
  return { ...toAccount(row), orgId: row.org_id, externalId: row.external_id, joinedAt: row.joined_at };
}

export function checkVersion(kind: string, id: string, actual: number, expected: number | undefined): void {
  if (expected !== undefined && Number(actual) !== expected) {
    throw new ImsError('version_mismatch', `${kind} ${id} is at version ${actual}, not ${expected}`);
  }
}
