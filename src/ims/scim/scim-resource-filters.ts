/**
 * Which SCIM attributes a `filter` may use, per resource type, and how each maps onto the directory's filter
 * attributes. `meta.created`/`meta.lastModified` take `gt ge lt le eq ne` with a dateTime (incremental sync);
 * Groups' `members[value eq "<id>"]` finds the groups of a user. Anything else (gt/lt on strings) is `invalidFilter`.
 * Attributes whose value is the same on every account (`emails.type` is always `work`, `emails.primary` always
 * true) compile to constant filters, so client filters written for richer servers still work.
 */
import type { AccountFilterAttr, Filter, ProfileFilterAttr } from '../directory/ims-directory.ts';
import { ScimError } from './scim-error.ts';
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

/**
 * RFC 7643 §2.3.5 dateTime (xsd:dateTime): compared as the stored UTC ISO-8601 instants, which sort in time order.
 * A value without a zone is read as UTC.
 */
function dateTimeAttr<A extends string>(attr: A): (op: ScimCompareOp | 'pr', value: ScimValue) => Filter<A> | undefined {
  return (op, value) => {
    if (op === 'pr') return { op: 'pr', attr };
    if (!['gt', 'ge', 'lt', 'le', 'eq', 'ne'].includes(op)) return undefined;
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i.test(value)) {
      throw new ScimError(400, 'invalidFilter', `expected a dateTime such as "2026-01-31T08:00:00Z", got ${JSON.stringify(value)}`);
    }
    const instant = new Date(/(Z|[+-]\d{2}:\d{2})$/i.test(value) ? value : `${value}Z`);
    if (Number.isNaN(instant.getTime())) throw new ScimError(400, 'invalidFilter', `${JSON.stringify(value)} is not a valid dateTime`);
    return { op: op as 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne', attr, value: instant.toISOString() } as Filter<A>;
  };
}

/** Groups containing one user: `members[value eq "<id>"]`, `members.value eq`, `members eq`. */
function member(op: ScimCompareOp | 'pr', value: ScimValue): Filter<ProfileFilterAttr> | undefined {
  if (op !== 'eq' || typeof value !== 'string') return undefined;
  return { op: 'eq', attr: 'member', value };
}

/** Active in this org: the account is enabled and the org has not deactivated its membership. */
function active(op: ScimCompareOp | 'pr', value: ScimValue): Filter<AccountFilterAttr> | undefined {
  if (op === 'pr') return always('id');
  if ((op !== 'eq' && op !== 'ne') || typeof value !== 'boolean') return undefined;
  const isActive: Filter<AccountFilterAttr> = { op: 'and', filters: [{ op: 'eq', attr: 'status', value: 'active' }, { op: 'not', filter: { op: 'pr', attr: 'suspended' } }] };
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
  'meta.created': dateTimeAttr('createdAt'),
  'meta.lastmodified': dateTimeAttr('updatedAt'),
  [ext('emailVerified')]: emailVerified,
  [ext('type')]: stringAttr('type'),
};

export const resolveUserAttribute: AttributeResolver<AccountFilterAttr> = (path, op, value) =>
  Object.hasOwn(USER_ATTRIBUTES, path) ? USER_ATTRIBUTES[path]!(op, value) : undefined;

const GROUP_ATTRIBUTES: Record<string, (op: ScimCompareOp | 'pr', value: ScimValue) => Filter<ProfileFilterAttr> | undefined> = {
  id: stringAttr('id'),
  displayname: stringAttr('name'),
  externalid: stringAttr('externalId'),
  members: member,
  'members.value': member,
  'meta.created': dateTimeAttr('createdAt'),
  'meta.lastmodified': dateTimeAttr('updatedAt'),
  [`${IMS_GROUP_SCHEMA}:subscriptionId`.toLowerCase()]: stringAttr('subscriptionId'),
};

export const resolveGroupAttribute: AttributeResolver<ProfileFilterAttr> = (path, op, value) =>
  Object.hasOwn(GROUP_ATTRIBUTES, path) ? GROUP_ATTRIBUTES[path]!(op, value) : undefined;
