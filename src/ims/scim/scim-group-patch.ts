/**
 * PATCH on a Group (RFC 7644 §3.5.2), computed as the state the profile must reach (name, subscription, member
 * set) before anything is written: members stay ids, so a large profile is never rendered just to be patched.
 *
 * Beyond the RFC, because real provisioning clients send it: `remove` of `members` with a `value` list removes just
 * those members (Azure AD does this instead of `members[value eq "..."]`). Attributes a Group does not store
 * (`externalId`, unknown extensions) are ignored.
 */
import type { ProductProfileRecord } from '../directory/ims-directory.ts';
import { ScimError } from './scim-error.ts';
import { canonicalPath, splitAttrPath } from './scim-filter.ts';
import { readMemberIds } from './scim-group-resource.ts';
import type { PatchOperation } from './scim-patch.ts';
import { matchesValueFilter, readKey, type ScimPatchPath } from './scim-path.ts';
import { GROUP_SCHEMA, IMS_GROUP_SCHEMA } from './scim-schemas.ts';

export interface GroupTarget {
  name: string;
  subscriptionId: string;
  members: string[];
}

const SUBSCRIPTION_KEY = `${IMS_GROUP_SCHEMA}:subscriptionId`.toLowerCase();

export function planGroupPatch(current: ProductProfileRecord, operations: readonly PatchOperation[]): GroupTarget {
  const state: GroupTarget = { name: current.name, subscriptionId: current.subscriptionId, members: [...current.members] };
  for (const operation of operations) {
    if (operation.path !== undefined) {
      applyPath(state, operation.op, operation.path, operation.value);
      continue;
    }
    const value = operation.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ScimError(400, 'invalidValue', 'without a path, value must be an object of attributes');
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key.toLowerCase() === IMS_GROUP_SCHEMA.toLowerCase() && item !== null && typeof item === 'object') {
        const sub = readKey(item as Record<string, unknown>, 'subscriptionId');
        if (sub !== undefined) applyPath(state, operation.op, { attr: { schema: IMS_GROUP_SCHEMA, attr: 'subscriptionId' } }, sub);
        continue;
      }
      const attr = splitAttrPath(key);
      if (attr === undefined) throw new ScimError(400, 'invalidPath', `"${key}" is not an attribute name`);
      applyPath(state, operation.op, { attr }, item);
    }
  }
  return state;
}

function applyPath(state: GroupTarget, op: PatchOperation['op'], path: ScimPatchPath, value: unknown): void {
  const key = canonicalPath(path.attr, GROUP_SCHEMA);
  if (key === 'displayname') {
    state.name = requiredString(op, value, 'displayName');
  } else if (key === SUBSCRIPTION_KEY) {
    state.subscriptionId = requiredString(op, value, 'subscriptionId');
  } else if (key === 'members') {
    applyMembers(state, op, path, value);
  } else if (key.startsWith('members.')) {
    throw new ScimError(400, 'invalidPath', 'members are added and removed whole, by value');
  }
  // Anything else (id, externalId, meta, unknown extensions) is not stored on a product profile: ignored.
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
