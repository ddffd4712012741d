/** The /Users endpoints (RFC 7644 §3.3-§3.6) over the directory, as one organization sees its accounts. */
import { AdminError } from '../admin-api/admin-error.ts';
import { provisionOrgUser } from '../admin-api/provision-org-user.ts';
import { removeOrgUser, requireOrgUser } from '../admin-api/deprovision-org-user.ts';
import type { ImsOrgAccount, OrgAccountPatch } from '../directory/ims-directory.ts';
import type { ScimContext, ScimListParams } from './scim-context.ts';
import { ScimError } from './scim-error.ts';
import { compileScimFilter } from './scim-filter.ts';
import { checkIfMatch, etagOf, listResponse, matchesIfNoneMatch, parsePage, projectResource, readAttributeList } from './scim-http.ts';
import { applyPatch, readPatchRequest } from './scim-patch.ts';
import { resolveUserAttribute } from './scim-resource-filters.ts';
import { USER_SCHEMA } from './scim-schemas.ts';
import { readUserSort } from './scim-sort.ts';
import { checkUserPatchTargets } from './scim-user-patch-targets.ts';
import { readScimUser, toScimUser, type ScimUserWrite } from './scim-user-resource.ts';

export async function createUser(ctx: ScimContext): Promise<void> {
  const write = readScimUser(await ctx.readBody());
  rejectClientVerifiedEmail(write, undefined);
  const email = write.email ?? emailFromUserName(write.userName);
  if (email === undefined) {
    throw new ScimError(400, 'invalidValue', 'emails is required when userName is not an email address: the IMS identifies each account by one email (see /Schemas)');
  }
  const { account } = await provisionOrgUser(ctx.directory, ctx.principal.orgId, {
    email,
    userName: write.userName,
    ...(write.firstName === undefined ? {} : { firstName: write.firstName }),
    ...(write.lastName === undefined ? {} : { lastName: write.lastName }),
    externalId: write.externalId ?? null,
    ...(write.type === undefined ? {} : { type: write.type }),
    ...(write.active === undefined ? {} : { active: write.active }),
  });
  sendUser(ctx, 201, account, { Location: `${ctx.baseUrl}/Users/${account.id}` });
}

export async function getUser(ctx: ScimContext, id: string): Promise<void> {
  const account = await requireOrgUser(ctx.directory, ctx.principal.orgId, id);
  if (matchesIfNoneMatch(ctx.ifNoneMatch, account.version)) {
    ctx.reply(304, undefined, { ETag: etagOf(account.version) });
    return;
  }
  sendUser(ctx, 200, account);
}

export async function listUsers(ctx: ScimContext, params: ScimListParams): Promise<void> {
  const page = parsePage(params.startIndex, params.count);
  const filter = params.filter === undefined || params.filter.trim() === ''
    ? undefined
    : compileScimFilter(params.filter, USER_SCHEMA, resolveUserAttribute);
  const sort = readUserSort(params.sortBy, params.sortOrder);
  const result = await ctx.directory.listOrgAccounts(ctx.principal.orgId, {
    ...(filter === undefined ? {} : { filter }),
    ...(sort === undefined ? {} : { sort }),
    offset: page.offset,
    limit: page.limit,
  });
  const attributes = readAttributeList(params.attributes, 'attributes');
  const excluded = readAttributeList(params.excludedAttributes, 'excludedAttributes');
  const resources = result.items.map((a) => projectResource(toScimUser(a, ctx.baseUrl), USER_SCHEMA, attributes, excluded));
  ctx.reply(200, listResponse(result.total, page.startIndex, resources));
}

export async function replaceUser(ctx: ScimContext, id: string): Promise<void> {
  const body = await ctx.readBody();
  const current = await requireOrgUser(ctx.directory, ctx.principal.orgId, id);
  const expectedVersion = checkIfMatch(ctx.ifMatch, current.version);
  const updated = await writeUser(ctx, current, readScimUser(body), expectedVersion, false);
  sendUser(ctx, 200, updated);
}

export async function patchUser(ctx: ScimContext, id: string): Promise<void> {
  const operations = readPatchRequest(await ctx.readBody());
  const current = await requireOrgUser(ctx.directory, ctx.principal.orgId, id);
  const expectedVersion = checkIfMatch(ctx.ifMatch, current.version);
  const doc = toScimUser(current, ctx.baseUrl);
  checkUserPatchTargets(doc, operations);
  applyPatch(doc, operations, USER_SCHEMA);
  const updated = await writeUser(ctx, current, readScimUser(doc), expectedVersion, true);
  sendUser(ctx, 200, updated);
}

export async function deleteUser(ctx: ScimContext, id: string): Promise<void> {
  const current = await requireOrgUser(ctx.directory, ctx.principal.orgId, id);
  await removeOrgUser(ctx.directory, ctx.principal.orgId, id, checkIfMatch(ctx.ifMatch, current.version));
  ctx.reply(204);
}

/**
 * Writes a replacement User. The org edits profile fields only on accounts it owns; a personal account's userName,
 * name and email are its person's, and asking to change them is 400 `mutability` (never a 200 that changed
 * nothing); only `externalId` and the membership are the org's. `absentClears`: PATCH results drop removed
 * attributes, so absence clears; in PUT an absent `externalId` is kept (and on a personal account, absent name
 * parts are simply not the org's to clear).
 */
async function writeUser(ctx: ScimContext, current: ImsOrgAccount, write: ScimUserWrite, expectedVersion: number | undefined, absentClears: boolean): Promise<ImsOrgAccount> {
  rejectClientVerifiedEmail(write, current);
  if (write.type !== undefined && write.type !== current.type) {
    throw new AdminError('read_only', `the account type is set by the domain rules and cannot change (it is ${current.type})`);
  }
  const orgId = ctx.principal.orgId;
  const owned = current.ownerOrgId === orgId;
  const patch: OrgAccountPatch = {};
  const externalId = write.externalId === undefined ? (absentClears ? null : current.externalId) : write.externalId;
  if (externalId !== current.externalId) patch.externalId = externalId;
  if (owned) {
    if (write.userName !== current.userName) patch.userName = write.userName;
    if (write.email !== undefined && write.email !== current.email) patch.email = write.email;
    if ((write.firstName ?? '') !== current.firstName) patch.firstName = write.firstName ?? '';
    if ((write.lastName ?? '') !== current.lastName) patch.lastName = write.lastName ?? '';
  } else {
    rejectPersonalProfileChange(current, write, absentClears);
  }
  if (write.active !== undefined) Object.assign(patch, activePatch(current, write.active, owned));
  if (Object.keys(patch).length === 0) return current;
  return ctx.directory.updateOrgAccount(orgId, current.id, patch, expectedVersion === undefined ? {} : { expectedVersion });
}

/**
 * `active` as the org may set it (the standard Okta/Entra ID deprovisioning call). On an account the org owns it
 * disables or enables the account; on a personal account it deactivates or reactivates the org's membership: the
 * org's access ends, the person's account is not touched (only its person disables it). A locked account is not
 * unlocked by `active: true`.
 */
function activePatch(current: ImsOrgAccount, active: boolean, owned: boolean): OrgAccountPatch {
  if (!owned) {
    if (active && current.status !== 'active') {
      throw new ScimError(400, 'mutability', `this personal account is ${current.status} by its owner or the IMS; the organization can reactivate its membership, not the account`);
    }
    return active === current.suspended ? { suspended: !active } : {};
  }
  const status = active ? (current.status === 'disabled' ? 'active' : current.status) : current.status === 'active' ? 'disabled' : current.status;
  const patch: OrgAccountPatch = status === current.status ? {} : { status };
  if (active && current.suspended) patch.suspended = false;
  return patch;
}

/** The attributes of a personal account the org asked to change; only its person edits them. */
function rejectPersonalProfileChange(current: ImsOrgAccount, write: ScimUserWrite, absentClears: boolean): void {
  const differs = (given: string | undefined, stored: string) => (given === undefined ? absentClears && stored !== '' : given.toLowerCase() !== stored.toLowerCase());
  const changed = [
    ...(differs(write.userName, current.userName) ? ['userName'] : []),
    ...(write.email !== undefined && differs(write.email, current.email) ? ['emails'] : []),
    ...(differs(write.firstName, current.firstName) ? ['name.givenName'] : []),
    ...(differs(write.lastName, current.lastName) ? ['name.familyName'] : []),
  ];
  if (changed.length > 0) {
    throw new ScimError(400, 'mutability', `${changed.join(', ')} of a personal account (type personal: its email is not in a domain the organization claimed) are changed by its person only; the organization manages its membership (externalId, active, groups)`);
  }
}

/** RFC 7643 §4.1.1 lets userName be any unique string; when it is an email address it names the account's email. */
function emailFromUserName(userName: string): string | undefined {
  return /^[^@\s]+@[^@\s]+$/.test(userName) ? userName : undefined;
}

/** emailVerified is read-only: only proof of control verifies an address, never a provisioning client. */
function rejectClientVerifiedEmail(write: ScimUserWrite, current: ImsOrgAccount | undefined): void {
  if (write.emailVerified !== true) return;
  const unchanged = current !== undefined && current.emailVerified && (write.email === undefined || write.email.toLowerCase() === current.email.toLowerCase());
  if (!unchanged) {
    throw new AdminError('read_only', 'emailVerified is read-only: an address is verified only by its owner proving control of it');
  }
}

function sendUser(ctx: ScimContext, status: number, account: ImsOrgAccount, headers: Record<string, string> = {}): void {
  const attributes = readAttributeList(ctx.query.get('attributes') ?? undefined, 'attributes');
  const excluded = readAttributeList(ctx.query.get('excludedAttributes') ?? undefined, 'excludedAttributes');
  const body = projectResource(toScimUser(account, ctx.baseUrl), USER_SCHEMA, attributes, excluded);
  ctx.reply(status, body, { ETag: etagOf(account.version), ...headers });
}
