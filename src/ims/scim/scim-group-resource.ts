/**
 * The SCIM Group (RFC 7643 §4.2) as this IMS represents a product profile: `displayName` is the profile name,
 * `members` its accounts (always Users), and the IMS extension carries the product `subscriptionId`.
 */
import type { ImsDirectoryService, ProductProfileRecord } from '../directory/ims-directory.ts';
import { ScimError } from './scim-error.ts';
import { etagOf } from './scim-http.ts';
import { readKey } from './scim-path.ts';
import { GROUP_SCHEMA, IMS_GROUP_SCHEMA } from './scim-schemas.ts';

export function toScimGroup(profile: ProductProfileRecord, baseUrl: string, displays: ReadonlyMap<string, string> | undefined): Record<string, unknown> {
  // A profile made from a core-only Group has no subscription yet: the extension is left out until it has one.
  const withExtension = profile.subscriptionId !== '';
  const group: Record<string, unknown> = { schemas: withExtension ? [GROUP_SCHEMA, IMS_GROUP_SCHEMA] : [GROUP_SCHEMA], id: profile.id };
  if (profile.externalId !== null) group.externalId = profile.externalId;
  group.displayName = profile.name;
  if (displays !== undefined) {
    group.members = profile.members.map((id) => ({
      value: id,
      ...(displays.has(id) ? { display: displays.get(id) } : {}),
      $ref: `${baseUrl}/Users/${id}`,
      type: 'User',
    }));
  }
  if (withExtension) group[IMS_GROUP_SCHEMA] = { subscriptionId: profile.subscriptionId };
  group.meta = {
    resourceType: 'Group',
    created: profile.createdAt,
    lastModified: profile.updatedAt,
    location: `${baseUrl}/Groups/${profile.id}`,
    version: etagOf(profile.version),
  };
  return group;
}

const DISPLAY_CHUNK = 100;

/** userName of each member, read in chunks through one org-scoped list per chunk. */
export async function memberDisplays(directory: ImsDirectoryService, orgId: string, memberIds: readonly string[]): Promise<Map<string, string>> {
  const displays = new Map<string, string>();
  for (let i = 0; i < memberIds.length; i += DISPLAY_CHUNK) {
    const ids = memberIds.slice(i, i + DISPLAY_CHUNK);
    const page = await directory.listOrgAccounts(orgId, {
      filter: { op: 'or', filters: ids.map((id) => ({ op: 'eq' as const, attr: 'id' as const, value: id })) },
      limit: ids.length,
    });
    for (const account of page.items) displays.set(account.id, account.userName);
  }
  return displays;
}

export interface ScimGroupWrite {
  displayName: string;
  /** null: cleared explicitly; undefined: absent. */
  externalId: string | null | undefined;
  subscriptionId: string | undefined;
  /** undefined: absent. */
  members: string[] | undefined;
}

export function readScimGroup(body: Record<string, unknown>): ScimGroupWrite {
  const schemas = readKey(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === GROUP_SCHEMA.toLowerCase())) {
    throw new ScimError(400, 'invalidSyntax', `schemas must list ${GROUP_SCHEMA}`);
  }
  const displayName = readKey(body, 'displayName');
  if (typeof displayName !== 'string' || displayName.trim() === '') throw new ScimError(400, 'invalidValue', 'displayName is required and must be a non-empty string');
  const extension = readKey(body, IMS_GROUP_SCHEMA);
  const subscriptionId = extension !== null && typeof extension === 'object' ? readKey(extension as Record<string, unknown>, 'subscriptionId') : undefined;
  if (subscriptionId !== undefined && (typeof subscriptionId !== 'string' || subscriptionId.trim() === '')) {
    throw new ScimError(400, 'invalidValue', `${IMS_GROUP_SCHEMA}:subscriptionId must be a non-empty string`);
  }
  const members = readKey(body, 'members');
  const externalId = readKey(body, 'externalId');
  if (externalId !== undefined && externalId !== null && (typeof externalId !== 'string' || externalId === '')) {
    throw new ScimError(400, 'invalidValue', 'externalId must be a non-empty string or null');
  }
  return {
    displayName: displayName.trim(),
    externalId: externalId as string | null | undefined,
    subscriptionId: subscriptionId?.trim(),
    members: members === undefined || members === null ? undefined : readMemberIds(members),
  };
}

/** `[{ value }]` to account ids; `type` other than User is refused (profiles hold accounts only). */
export function readMemberIds(members: unknown): string[] {
  const list = Array.isArray(members) ? members : [members];
  return [...new Set(list.map((m, i) => {
    const value = m !== null && typeof m === 'object' ? readKey(m as Record<string, unknown>, 'value') : undefined;
    if (typeof value !== 'string' || value === '') throw new ScimError(400, 'invalidValue', `members[${i}].value must be a User id`);
    const type = readKey(m as Record<string, unknown>, 'type');
    if (type !== undefined && type !== null && String(type).toLowerCase() !== 'user') {
      throw new ScimError(400, 'invalidValue', `members[${i}]: a product profile holds Users only`);
    }
    return value;
  }))];
}
