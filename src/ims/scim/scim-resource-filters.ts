/**
 * Which SCIM attributes a `filter` may use, per resource type, and how each maps onto the directory's filter
 * attributes. Attributes the directory cannot answer (meta dates, gt/lt on strings) are `invalidFilter`.
 * Attributes whose value is the same on every account (`emails.type` is always `work`, `emails.primary` always
 * true) compile to constant filters, so client filters written for richer servers still work.
 */
import type { AccountFilterAttr, Filter, ProfileFilterAttr } from '../directory/ims-directory.ts';
import type { AttributeResolver, ScimCompareOp, ScimValue } from './scim-filter.ts';
import { IMS_GROUP_SCHEMA, IMS_USER_SCHEMA } from './scim-schemas.ts';

type StringOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew';
const STRING_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew']);

function always<A extends string>(idAttr: A): Filter<A> {
  return { op: 'pr', attr: idAttr };
}
function never<A extends string>(idAttr: A): Filter<A> {
  return { op: 'not', filter: always(idAttr) };
}

function stringAttr<A extends string>(attr: A): (op: ScimCompareOp | 'pr', value: ScimValue) => Filter<A> | undefined {
  return (op, value) => {
    if (op === 'pr') return { op: 'pr', attr };
    if (!STRING_OPS.has(op) || typeof value !== 'string') return undefined;
    return { op: op as StringOp, attr, value };
  };
}

/** A boolean attribute known to equal `constant` on every resource. */
function constantBoolean<A extends string>(idAttr: A, constant: boolean): (op: ScimCompareOp | 'pr', value: ScimValue) => Filter<A> | undefined {
  return (op, value) => {
    if (op === 'pr') return always(idAttr);
    if ((op !== 'eq' && op !== 'ne') || typeof value !== 'boolean') return undefined;
    return (value === constant) === (op === 'eq') ? always(idAttr) : never(idAttr);
  };
}

function emailType(op: ScimCompareOp | 'pr', value: ScimValue): Filter<AccountFilterAttr> | undefined {
  if (op === 'pr') return always('id');
  if ((op !== 'eq' && op !== 'ne') || typeof value !== 'string') return undefined;
  return (value.toLowerCase() === 'work') === (op === 'eq') ? always('id') : never('id');
}

function active(op: ScimCompareOp | 'pr', value: ScimValue): Filter<AccountFilterAttr> | undefined {
  if (op === 'pr') return always('id');
  if ((op !== 'eq' && op !== 'ne') || typeof value !== 'boolean') return undefined;
  const isActive: Filter<AccountFilterAttr> = { op: 'eq', attr: 'status', value: 'active' };
  return value === (op === 'eq') ? isActive : { op: 'not', filter: isActive };
}

function emailVerified(op: ScimCompareOp | 'pr', value: ScimValue): Filter<AccountFilterAttr> | undefined {
  if (op === 'pr') return always('id');
  if ((op !== 'eq' && op !== 'ne') || typeof value !== 'boolean') return undefined;
  return { op, attr: 'emailVerified', value };
}

const ext = (name: string) => `${IMS_USER_SCHEMA}:${name}`.toLowerCase();

const USER_ATTRIBUTES: Record<string, (op: ScimCompareOp | 'pr', value: ScimValue) => Filter<AccountFilterAttr> | undefined> = {
  id: stringAttr('id'),
  username: stringAttr('userName'),
  externalid: stringAttr('externalId'),
  emails: stringAttr('email'),
  'emails.value': stringAttr('email'),
  'emails.type': emailType,
  'emails.primary': constantBoolean('id', true),
  'name.givenname': stringAttr('firstName'),
  'name.familyname': stringAttr('lastName'),
  active,
  [ext('emailVerified')]: emailVerified,
  [ext('type')]: stringAttr('type'),
};

export const resolveUserAttribute: AttributeResolver<AccountFilterAttr> = (path, op, value) =>
  Object.hasOwn(USER_ATTRIBUTES, path) ? USER_ATTRIBUTES[path]!(op, value) : undefined;

const GROUP_ATTRIBUTES: Record<string, (op: ScimCompareOp | 'pr', value: ScimValue) => Filter<ProfileFilterAttr> | undefined> = {
  id: stringAttr('id'),
  displayname: stringAttr('name'),
  [`${IMS_GROUP_SCHEMA}:subscriptionId`.toLowerCase()]: stringAttr('subscriptionId'),
};

export const resolveGroupAttribute: AttributeResolver<ProfileFilterAttr> = (path, op, value) =>
  Object.hasOwn(GROUP_ATTRIBUTES, path) ? GROUP_ATTRIBUTES[path]!(op, value) : undefined;
