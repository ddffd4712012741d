/**
 * PATCH on a Group (RFC 7644 §3.5.2), computed as the state the profile must reach (name, subscription, member
 * set) before anything is written: members stay ids, so a large profile is never rendered just to be patched.
 *
 * Beyond the RFC, because real provisioning clients send it: `remove` of `members` with a `value` list removes just
 * those members (Azure AD does this instead of `members[value eq "..."]`). Every operation applies or fails:
 * an attribute a Group does not have is 400 `invalidPath`; `id` and `meta` are read-only (400 `mutability`
 * unless given their current value, as Okta sends `id` along with a rename).
 */
import type { ProductProfileRecord } from '../directory/ims-directory.ts';
import { ScimError } from './scim-error.ts';
import { canonicalPath, splitAttrPath } from './scim-filter.ts';
import { readMemberIds } from './scim-group-resource.ts';
import type { PatchOperation } from './scim-patch.ts';
import { matchesValueFilter, type ScimPatchPath } from './scim-path.ts';
import { GROUP_SCHEMA, IMS_GROUP_SCHEMA } from './scim-schemas.ts';

export interface GroupTarget {
  name: string;
  subscriptionId: string;
  externalId: string | null;
  members: string[];
}

const EXTENSION = IMS_GROUP_SCHEMA.toLowerCase();

const SUBSCRIPTION_KEY = `${IMS_GROUP_SCHEMA}:subscriptionId`.toLowerCase();

export function planGroupPatch(current: ProductProfileRecord, operations: readonly PatchOperation[]): GroupTarget {
  const state: GroupTarget = { name: current.name, subscriptionId: current.subscriptionId, externalId: current.externalId, members: [...current.members] };
  for (const operation of operations) {
    if (operation.path !== undefined) {
      applyPath(current, state, operation.op, operation.path, operation.value);
      continue;
    }
    const value = operation.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ScimError(400, 'invalidValue', 'without a path, value must be an object of attributes');
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const attr = splitAttrPath(key);
      if (attr === undefined) throw new ScimError(400, 'invalidPath', `"${key}" is not an attribute name`);
      applyPath(current, state, operation.op, { attr }, item);
    }
  }
  return state;
}

function applyPath(current: ProductProfileRecord, state: GroupTarget, op: PatchOperation['op'], path: ScimPatchPath, value: unknown): void {
  const key = targetKey(path.attr);
  if (path.filter !== undefined && key !== 'members') throw new ScimError(400, 'invalidPath', `a value filter applies to members only, not to ${key}`);
  if (key === 'displayname') {
    state.name = requiredString(op, value, 'displayName');
  } else if (key === SUBSCRIPTION_KEY) {
    state.subscriptionId = requiredString(op, value, 'subscriptionId');
  } else if (key === EXTENSION) {
    // The extension named whole: its value is an object of its attributes (subscriptionId, the only one).
    if (op === 'remove' || value === null) throw new ScimError(400, 'mutability', 'subscriptionId cannot be removed; replace it');
    if (value === undefined || typeof value !== 'object' || Array.isArray(value)) throw new ScimError(400, 'invalidValue', `${IMS_GROUP_SCHEMA} must be an object`);
    for (const [sub, subValue] of Object.entries(value as Record<string, unknown>)) {
      if (sub.toLowerCase() !== 'subscriptionid') throw new ScimError(400, 'invalidPath', `${IMS_GROUP_SCHEMA}:${sub} is not an attribute of this server's Group (see /Schemas)`);
      state.subscriptionId = requiredString(op, subValue, 'subscriptionId');
    }
  } else if (key === 'externalid') {
    if (op === 'remove' || value === null) state.externalId = null;
    else if (typeof value === 'string' && value !== '') state.externalId = value;
    else throw new ScimError(400, 'invalidValue', 'externalId must be a non-empty string');
  } else if (key === 'members') {
    applyMembers(state, op, path, value);
  } else if (key.startsWith('members.')) {
    throw new ScimError(400, 'invalidPath', 'members are added and removed whole, by value');
  } else if (key === 'id' || key === 'meta' || key.startsWith('meta.')) {
    // Okta sends `{ id, displayName }` with every rename: the current id is accepted, any other is a change.
    const same = key === 'id' && op !== 'remove' && value === current.id;
    if (!same) throw new ScimError(400, 'mutability', `${key} is read-only`);
  } else {
    throw new ScimError(400, 'invalidPath', `${key} is not an attribute of this server's Group (see /Schemas)`);
  }
}

/** The canonical key of a path; the IMS extension named whole (`urn:...:ims:2.0:Group`) is its URN. */
function targetKey(attr: ScimPatchPath['attr']): string {
  if (attr.schema !== undefined && attr.subAttr === undefined && `${attr.schema}:${attr.attr}`.toLowerCase() === EXTENSION) return EXTENSION;
  return canonicalPath(attr, GROUP_SCHEMA);
}

function applyMembers(state: GroupTarget, op: PatchOperation['op'], path: ScimPatchPath, value: unknown): void {
  if (path.filter !== undefined) {
    if (op !== 'remove' || path.subAttr !== undefined) throw new ScimError(400, 'invalidPath', 'a filtered members path can only be removed');
    const filter = path.filter;
    state.members = state.members.filter((id) => !matchesValueFilter(filter, { value: id, type: 'User' }));
    return;
  }
  if (op === 'remove') {
    if (value === undefined || value === null) {
      state.members = [];
    } else {
      const gone = new Set(readMemberIds(value));
      state.members = state.members.filter((id) => !gone.has(id));
    }
    return;
  }
  const ids = value === null ? [] : readMemberIds(value);
  if (op === 'replace') {
    state.members = ids;
  } else {
    const have = new Set(state.members);
    state.members.push(...ids.filter((id) => !have.has(id)));
  }
}

function requiredString(op: PatchOperation['op'], value: unknown, name: string): string {
  if (op === 'remove') throw new ScimError(400, 'mutability', `${name} is required and cannot be removed`);
  if (typeof value !== 'string' || value.trim() === '') throw new ScimError(400, 'invalidValue', `${name} must be a non-empty string`);
  return value.trim();
}
