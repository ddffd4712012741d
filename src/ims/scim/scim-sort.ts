/**
 * Sorting (RFC 7644 §3.4.2.3): `sortBy` names one attribute, `sortOrder` is `ascending` (the default) or
 * `descending`. String attributes sort case-insensitively (they are caseExact false); ties keep creation order, so
 * pages stay stable. An attribute that cannot be sorted on is 400 `invalidValue`.
 */
import type { AccountFilterAttr, ProfileFilterAttr } from '../directory/ims-directory.ts';
import { ScimError } from './scim-error.ts';
import { canonicalPath, splitAttrPath } from './scim-filter.ts';
import { GROUP_SCHEMA, IMS_GROUP_SCHEMA, IMS_USER_SCHEMA, USER_SCHEMA } from './scim-schemas.ts';

const USER_SORT: Record<string, AccountFilterAttr> = {
  id: 'id',
  username: 'userName',
  externalid: 'externalId',
  'name.givenname': 'firstName',
  'name.familyname': 'lastName',
  emails: 'email',
  'emails.value': 'email',
  'meta.created': 'createdAt',
  'meta.lastmodified': 'updatedAt',
  [`${IMS_USER_SCHEMA}:type`.toLowerCase()]: 'type',
};

const GROUP_SORT: Record<string, ProfileFilterAttr> = {
  id: 'id',
  displayname: 'name',
  externalid: 'externalId',
  'meta.created': 'createdAt',
  'meta.lastmodified': 'updatedAt',
  [`${IMS_GROUP_SCHEMA}:subscriptionId`.toLowerCase()]: 'subscriptionId',
};

export function readUserSort(sortBy: unknown, sortOrder: unknown): { attr: AccountFilterAttr; descending: boolean } | undefined {
  return readSort(sortBy, sortOrder, USER_SCHEMA, USER_SORT);
}

export function readGroupSort(sortBy: unknown, sortOrder: unknown): { attr: ProfileFilterAttr; descending: boolean } | undefined {
  return readSort(sortBy, sortOrder, GROUP_SCHEMA, GROUP_SORT);
}

function readSort<A extends string>(sortBy: unknown, sortOrder: unknown, coreSchema: string, table: Record<string, A>): { attr: A; descending: boolean } | undefined {
  const descending = readOrder(sortOrder);
  if (sortBy === undefined || sortBy === null || sortBy === '') return undefined;
  const path = typeof sortBy === 'string' ? splitAttrPath(sortBy.trim()) : undefined;
  if (path === undefined) throw new ScimError(400, 'invalidValue', 'sortBy must be an attribute name');
  const key = canonicalPath(path, coreSchema);
  const attr = Object.hasOwn(table, key) ? table[key] : undefined;
  if (attr === undefined) throw new ScimError(400, 'invalidValue', `sorting by ${String(sortBy)} is not supported; sortable: ${Object.keys(table).join(', ')}`);
  return { attr, descending };
}

function readOrder(sortOrder: unknown): boolean {
  if (sortOrder === undefined || sortOrder === null || sortOrder === '') return false;
  const order = typeof sortOrder === 'string' ? sortOrder.toLowerCase() : '';
  if (order !== 'ascending' && order !== 'descending') throw new ScimError(400, 'invalidValue', 'sortOrder must be ascending or descending');
  return order === 'descending';
}
