import { DEFAULT_EMAIL_POLICY, EMAIL_PROBLEMS, normalizeEmail as applyAddressRule, toAsciiDomain, type EmailPolicy } from '../../core/email/normalize-email.ts';
import type { ImsDb, ImsTables } from '../ims-tables.ts';
import { timeOrderedUuid } from './time-ordered-id.ts';
import {
  ImsError,
  type AccountStatus,
  type AccountType,
  type ImsAccountRecord,
  type ImsOrgAccount,
} from './ims-directory.ts';

/** Capabilities shared by the directory's parts: the database, a clock, an id source (injected for tests), the address rule. */
export interface DirectoryContext {
  db: ImsDb;
  now: () => Date;
  newId: () => string;
  emailPolicy: EmailPolicy;
  /** Told, after the commit, of sign-ups cancelled because an organization provisioned their address (to mail them). */
  onSignUpsCancelled?: ((accounts: ImsAccountRecord[]) => Promise<void>) | undefined;
}

export interface DirectoryContextOptions {
  now?: () => Date;
  newId?: () => string;
  emailPolicy?: EmailPolicy;
  onSignUpsCancelled?: (accounts: ImsAccountRecord[]) => Promise<void>;
}

export function createDirectoryContext(db: ImsDb, options: DirectoryContextOptions = {}): DirectoryContext {
  return {
    db, now: options.now ?? (() => new Date()), newId: options.newId ?? (() => timeOrderedUuid()), emailPolicy: options.emailPolicy ?? DEFAULT_EMAIL_POLICY,
    onSignUpsCancelled: options.onSignUpsCancelled,
  };
}

/**
 * An address's two forms under Rehome's one address rule (src/core/email/normalize-email.ts): `delivery`, stored as
 * the account's email and mailed to, and `key`, stored as `email_norm` and looked up by. A look-alike or malformed
 * address is refused (`email_refused`, the message says what is wrong), never folded onto another.
 */
export function addressOf(email: string, policy: EmailPolicy = DEFAULT_EMAIL_POLICY): { key: string; delivery: string; domain: string } {
  if (typeof email !== 'string' || email.length > 320) throw new ImsError('email_refused', 'email is too long');
  const e = applyAddressRule(email, policy);
  if (!e.ok) throw new ImsError('email_refused', `this email cannot be used: ${EMAIL_PROBLEMS[e.problem]}`);
  return { key: e.address, delivery: e.delivery, domain: e.domain };
}

/** Lower-case A-label form of a domain to claim or federate, by the same rule as addresses' domains. */
export function normalizeDomain(domain: string): string {
  const ascii = typeof domain === 'string' ? toAsciiDomain(domain) : null;
  if (ascii === null) throw new ImsError('invalid_input', `"${domain}" is not a domain name (give it without a trailing dot, in letters a mail system keeps)`);
  return ascii;
}

/** The look-up key of an address under this directory's policy. */
export function checkEmail(ctx: Pick<DirectoryContext, 'emailPolicy'>, email: string): string {
  return addressOf(email, ctx.emailPolicy).key;
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

export function toOrgAccount(row: AccountRow & { org_id: string; external_id: string | null; joined_at: string; suspended_at: string | null }): ImsOrgAccount {
  return { ...toAccount(row), orgId: row.org_id, externalId: row.external_id, joinedAt: row.joined_at, suspended: row.suspended_at !== null };
}

export function checkVersion(kind: string, id: string, actual: number, expected: number | undefined): void {
  if (expected !== undefined && Number(actual) !== expected) {
    throw new ImsError('version_mismatch', `${kind} ${id} is at version ${actual}, not ${expected}`);
  }
}
