/**
 * The SCIM User (RFC 7643 §4.1) as this IMS represents an org account, and the reading of a User body sent by a
 * client into the fields the directory stores. The IMS keeps one email per account: it is `emails[0]`, primary,
 * type `work`. `emailVerified` and `type` live in the IMS extension and are read-only.
 */
import type { AccountType, ImsOrgAccount } from '../directory/ims-directory.ts';
import { ScimError } from './scim-error.ts';
import { readKey } from './scim-path.ts';
import { IMS_USER_SCHEMA, USER_SCHEMA } from './scim-schemas.ts';
import { etagOf } from './scim-http.ts';

export function toScimUser(account: ImsOrgAccount, baseUrl: string): Record<string, unknown> {
  const formatted = [account.firstName, account.lastName].filter((s) => s !== '').join(' ');
  const user: Record<string, unknown> = {
    schemas: [USER_SCHEMA, IMS_USER_SCHEMA],
    id: account.id,
  };
  if (account.externalId !== null) user.externalId = account.externalId;
  user.userName = account.userName;
  // An unassigned name part is left out (RFC 7643 §2.5), not sent as "": removing it then shows as removed.
  const name: Record<string, string> = {};
  if (account.firstName !== '') name.givenName = account.firstName;
  if (account.lastName !== '') name.familyName = account.lastName;
  if (formatted !== '') user.name = { ...name, formatted };
  if (formatted !== '') user.displayName = formatted;
  // Active in this org: the account is enabled and the org has not deactivated its membership.
  user.active = account.status === 'active' && !account.suspended;
  user.emails = [{ value: account.email, type: 'work', primary: true }];
  user[IMS_USER_SCHEMA] = { emailVerified: account.emailVerified, type: account.type };
  user.meta = {
    resourceType: 'User',
    created: account.createdAt,
    lastModified: account.updatedAt,
    location: `${baseUrl}/Users/${account.id}`,
    version: etagOf(account.version),
  };
  return user;
}

/** What a client's User body asks for; `undefined` fields were absent. */
export interface ScimUserWrite {
  userName: string;
  email: string | undefined;
  firstName: string | undefined;
  lastName: string | undefined;
  /** null: cleared explicitly. */
  externalId: string | null | undefined;
  active: boolean | undefined;
  type: AccountType | undefined;
  emailVerified: boolean | undefined;
}

const ACCOUNT_TYPES: readonly string[] = ['personal', 'enterprise', 'federated'];

export function readScimUser(body: Record<string, unknown>): ScimUserWrite {
  const schemas = readKey(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === USER_SCHEMA.toLowerCase())) {
    throw new ScimError(400, 'invalidSyntax', `schemas must list ${USER_SCHEMA}`);
  }
  const userName = readKey(body, 'userName');
  if (typeof userName !== 'string' || userName.trim() === '') throw new ScimError(400, 'invalidValue', 'userName is required and must be a non-empty string');
  const name = readKey(body, 'name');
  if (name !== undefined && name !== null && (typeof name !== 'object' || Array.isArray(name))) {
    throw new ScimError(400, 'invalidValue', 'name must be an object');
  }
  const nameObject = (name ?? {}) as Record<string, unknown>;
  const extension = readKey(body, IMS_USER_SCHEMA);
  if (extension !== undefined && extension !== null && (typeof extension !== 'object' || Array.isArray(extension))) {
    throw new ScimError(400, 'invalidValue', `${IMS_USER_SCHEMA} must be an object`);
  }
  const ext = (extension ?? {}) as Record<string, unknown>;
  const type = readKey(ext, 'type');
  if (type !== undefined && type !== null && (typeof type !== 'string' || !ACCOUNT_TYPES.includes(type))) {
    throw new ScimError(400, 'invalidValue', `${IMS_USER_SCHEMA}:type must be one of ${ACCOUNT_TYPES.join(', ')}`);
  }
  const externalId = readKey(body, 'externalId');
  if (externalId !== undefined && externalId !== null && (typeof externalId !== 'string' || externalId === '')) {
    throw new ScimError(400, 'invalidValue', 'externalId must be a non-empty string or null');
  }
  return {
    userName: userName.trim(),
    email: readPrimaryEmail(readKey(body, 'emails')),
    firstName: readOptionalString(readKey(nameObject, 'givenName'), 'name.givenName'),
    lastName: readOptionalString(readKey(nameObject, 'familyName'), 'name.familyName'),
    externalId: externalId as string | null | undefined,
    active: readBoolean(readKey(body, 'active'), 'active'),
    type: (type ?? undefined) as AccountType | undefined,
    emailVerified: readBoolean(readKey(ext, 'emailVerified'), `${IMS_USER_SCHEMA}:emailVerified`),
  };
}

/** The primary email, else the only one; several candidates are ambiguous (§2.4: at most one primary). */
function readPrimaryEmail(emails: unknown): string | undefined {
  if (emails === undefined || emails === null) return undefined;
  if (!Array.isArray(emails)) throw new ScimError(400, 'invalidValue', 'emails must be an array');
  const values = emails.map((e, i) => {
    const value = e !== null && typeof e === 'object' ? readKey(e as Record<string, unknown>, 'value') : undefined;
    if (typeof value !== 'string' || value.trim() === '') throw new ScimError(400, 'invalidValue', `emails[${i}].value must be an email address`);
    return { value: value.trim(), primary: readBoolean(readKey(e as Record<string, unknown>, 'primary'), `emails[${i}].primary`) === true };
  });
  if (values.length === 0) return undefined;
  const primaries = values.filter((e) => e.primary);
  if (primaries.length > 1) throw new ScimError(400, 'invalidValue', 'at most one email may be primary');
  if (primaries.length === 1) return primaries[0]!.value;
  const distinct = new Set(values.map((e) => e.value.toLowerCase()));
  if (distinct.size > 1) throw new ScimError(400, 'invalidValue', 'the IMS keeps one email per account: mark one of the emails primary');
  return values[0]!.value;
}

function readOptionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ScimError(400, 'invalidValue', `${name} must be a string`);
  return value;
}

/** Booleans; also "True"/"False" strings, which some provisioning clients send in PATCH values. */
export function readBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new ScimError(400, 'invalidValue', `${name} must be true or false`);
}
