/** The /Groups endpoints: an organization's product profiles and their members. */
import type { ProductProfileRecord } from '../directory/ims-directory.ts';
import type { ScimContext, ScimListParams } from './scim-context.ts';
import { ScimError } from './scim-error.ts';
import { compileScimFilter } from './scim-filter.ts';
import { memberDisplays, readScimGroup, toScimGroup } from './scim-group-resource.ts';
import { checkIfMatch, etagOf, listResponse, matchesIfNoneMatch, parsePage, projectResource, readAttributeList } from './scim-http.ts';
import { readPatchRequest } from './scim-patch.ts';
import { planGroupPatch } from './scim-group-patch.ts';
import { resolveGroupAttribute } from './scim-resource-filters.ts';
import { GROUP_SCHEMA } from './scim-schemas.ts';
import { readGroupSort } from './scim-sort.ts';

export async function createGroup(ctx: ScimContext): Promise<void> {
  const write = readScimGroup(await ctx.readBody());
  await rejectTakenDisplayName(ctx, write.displayName, undefined);
  const members = write.members ?? [];
  await rejectForeignMembers(ctx, members);
  // Core-only bodies (Okta's and Entra ID's default group push) make a profile without a subscription yet.
  const profile = await ctx.directory.createProfile(ctx.principal.orgId, {
    name: write.displayName,
    ...(write.subscriptionId === undefined ? {} : { subscriptionId: write.subscriptionId }),
    externalId: write.externalId ?? null,
    members,
  });
  await sendGroup(ctx, 201, profile, { Location: `${ctx.baseUrl}/Groups/${profile.id}` });
}

export async function getGroup(ctx: ScimContext, id: string): Promise<void> {
  const profile = await requireProfile(ctx, id);
  if (matchesIfNoneMatch(ctx.ifNoneMatch, profile.version)) {
    ctx.reply(304, undefined, { ETag: etagOf(profile.version) });
    return;
  }
  await sendGroup(ctx, 200, profile);
}

export async function listGroups(ctx: ScimContext, params: ScimListParams): Promise<void> {
  const page = parsePage(params.startIndex, params.count);
  const filter = params.filter === undefined || params.filter.trim() === '' ? undefined : compileScimFilter(params.filter, GROUP_SCHEMA, resolveGroupAttribute);
  const sort = readGroupSort(params.sortBy, params.sortOrder);
  const result = await ctx.directory.listProfiles(ctx.principal.orgId, { ...(filter === undefined ? {} : { filter }), ...(sort === undefined ? {} : { sort }), offset: page.offset, limit: page.limit });
  const attributes = readAttributeList(params.attributes, 'attributes');
  const excluded = readAttributeList(params.excludedAttributes, 'excludedAttributes');
  const withMembers = wantsMembers(attributes, excluded);
  const resources = [];
  for (const profile of result.items) {
    const displays = withMembers ? await memberDisplays(ctx.directory, ctx.principal.orgId, profile.members) : undefined;
    resources.push(projectResource(toScimGroup(profile, ctx.baseUrl, displays), GROUP_SCHEMA, attributes, excluded));
  }
  ctx.reply(200, listResponse(result.total, page.startIndex, resources));
}

/** PUT replaces name, subscription and members (absent members: none, as replacement means); an absent externalId is kept. */
export async function replaceGroup(ctx: ScimContext, id: string): Promise<void> {
  const write = readScimGroup(await ctx.readBody());
  const current = await requireProfile(ctx, id);
  const expectedVersion = checkIfMatch(ctx.ifMatch, current.version);
  await rejectTakenDisplayName(ctx, write.displayName, id);
  const updated = await writeGroup(ctx, current, {
    name: write.displayName,
    subscriptionId: write.subscriptionId ?? current.subscriptionId,
    externalId: write.externalId === undefined ? current.externalId : write.externalId,
    members: write.members ?? [],
  }, expectedVersion);
  await sendGroup(ctx, 200, updated);
}

export async function patchGroup(ctx: ScimContext, id: string): Promise<void> {
  const operations = readPatchRequest(await ctx.readBody());
  const current = await requireProfile(ctx, id);
  const expectedVersion = checkIfMatch(ctx.ifMatch, current.version);
  const target = planGroupPatch(current, operations);
  if (target.name !== current.name) await rejectTakenDisplayName(ctx, target.name, id);
  const updated = await writeGroup(ctx, current, target, expectedVersion);
  await sendGroup(ctx, 200, updated);
}

export async function deleteGroup(ctx: ScimContext, id: string): Promise<void> {
  const current = await requireProfile(ctx, id);
  checkIfMatch(ctx.ifMatch, current.version);
  await ctx.directory.deleteProfile(ctx.principal.orgId, id);
  ctx.reply(204);
}

/**
 * Moves a profile to `target`, validating everything before the first write so a refused request changes nothing.
 * Member changes are applied as a diff (add/remove), never by resending a large list; each write is held to the
 * version the previous one produced.
 */
async function writeGroup(
  ctx: ScimContext,
  current: ProductProfileRecord,
  target: { name: string; subscriptionId: string; externalId: string | null; members: string[] },
  expectedVersion: number | undefined,
): Promise<ProductProfileRecord> {
  const orgId = ctx.principal.orgId;
  const before = new Set(current.members);
  const after = new Set(target.members);
  const toAdd = target.members.filter((m) => !before.has(m));
  const toRemove = current.members.filter((m) => !after.has(m));
  await rejectForeignMembers(ctx, toAdd);
  let profile = current;
  let version = expectedVersion;
  const hold = () => (version === undefined ? {} : { expectedVersion: version });
  if (target.name !== current.name || target.subscriptionId !== current.subscriptionId || target.externalId !== current.externalId) {
    const subscription = target.subscriptionId === current.subscriptionId ? {} : { subscriptionId: target.subscriptionId };
    profile = await ctx.directory.updateProfile(orgId, current.id, { name: target.name, ...subscription, externalId: target.externalId }, hold());
    if (version !== undefined) version = profile.version;
  }
  if (toAdd.length > 0) {
    profile = await ctx.directory.addProfileMembers(orgId, current.id, toAdd, hold());
    if (version !== undefined) version = profile.version;
  }
  if (toRemove.length > 0) profile = await ctx.directory.removeProfileMembers(orgId, current.id, toRemove, hold());
  return profile;
}

async function requireProfile(ctx: ScimContext, id: string): Promise<ProductProfileRecord> {
  const profile = await ctx.directory.getProfile(ctx.principal.orgId, id);
  if (profile === undefined) throw new ScimError(404, undefined, `group ${id} not found`);
  return profile;
}

/** Profile names identify profiles to admins and to clients that match groups by displayName. */
async function rejectTakenDisplayName(ctx: ScimContext, name: string, exceptId: string | undefined): Promise<void> {
  const same = await ctx.directory.listProfiles(ctx.principal.orgId, { filter: { op: 'eq', attr: 'name', value: name }, limit: 2 });
  if (same.items.some((p) => p.id !== exceptId)) throw new ScimError(409, 'uniqueness', `a group named ${JSON.stringify(name)} already exists`);
}

/** Members must be users of this org; an id of another org's user is as unknown as a made-up one. */
async function rejectForeignMembers(ctx: ScimContext, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await memberDisplays(ctx.directory, ctx.principal.orgId, ids);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new ScimError(400, 'invalidValue', `not a User of this organization: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
}

function wantsMembers(attributes: string[] | undefined, excluded: string[] | undefined): boolean {
  if (attributes !== undefined) return attributes.some((a) => /^(urn:.*:)?members(\.|$)/i.test(a));
  return !(excluded ?? []).some((a) => /^(urn:.*:)?members$/i.test(a));
}

async function sendGroup(ctx: ScimContext, status: number, profile: ProductProfileRecord, headers: Record<string, string> = {}): Promise<void> {
  const attributes = readAttributeList(ctx.query.get('attributes') ?? undefined, 'attributes');
  const excluded = readAttributeList(ctx.query.get('excludedAttributes') ?? undefined, 'excludedAttributes');
  const displays = wantsMembers(attributes, excluded) ? await memberDisplays(ctx.directory, ctx.principal.orgId, profile.members) : undefined;
  const body = projectResource(toScimGroup(profile, ctx.baseUrl, displays), GROUP_SCHEMA, attributes, excluded);
  ctx.reply(status, body, { ETag: etagOf(profile.version), ...headers });
}
