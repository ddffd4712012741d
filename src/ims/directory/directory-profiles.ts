import type { ImsTrx } from '../ims-tables.ts';
import { checkVersion, type DirectoryContext } from './directory-context.ts';
import { requireOrg } from './directory-orgs.ts';
import { compileFilter, sortExpression, type FilterColumn } from './filter-sql.ts';
import { sql } from 'kysely';
import { ImsError, type ImsDirectoryService, type ProductProfileRecord, type ProfileFilterAttr } from './ims-directory.ts';

type ProfileMethods = Pick<
  ImsDirectoryService,
  | 'createProfile' | 'getProfile' | 'listProfiles' | 'updateProfile' | 'setProfileMembers' | 'addProfileMembers'
  | 'removeProfileMembers' | 'deleteProfile'
>;

const profileColumns: Record<ProfileFilterAttr, FilterColumn> = {
  id: { ref: 'id' },
  name: { ref: 'name' },
  subscriptionId: { ref: 'subscription_id' },
  externalId: { ref: 'external_id' },
  // A profile "has member X": an EXISTS over the member table, so large profiles are never loaded to be filtered.
  member: { ref: 'ims_profiles.id', exists: (accountId) => sql<boolean>`exists (select 1 from ims_profile_members pm where pm.profile_id = ims_profiles.id and pm.account_id = ${accountId})` },
  createdAt: { ref: 'created_at' },
  updatedAt: { ref: 'updated_at' },
};

export function createProfileMethods(ctx: DirectoryContext): ProfileMethods {
  const { db } = ctx;
  const inTrx = <T>(fn: (trx: ImsTrx) => Promise<T>): Promise<T> => db.transaction().execute(fn);

  /** Runs a member-list change; bumps the version only when the list actually changed. */
  const changeMembers = (orgId: string, profileId: string, expectedVersion: number | undefined, next: (current: string[]) => string[]) =>
    inTrx(async (trx) => {
      const profile = await requireProfile(trx, orgId, profileId);
      checkVersion('product profile', profileId, profile.version, expectedVersion);
      const wanted = [...new Set(next(profile.members))];
      await requireMembers(trx, orgId, wanted);
      const toAdd = wanted.filter((id) => !profile.members.includes(id));
      const toRemove = profile.members.filter((id) => !wanted.includes(id));
      if (toAdd.length === 0 && toRemove.length === 0) return profile;
      if (toRemove.length > 0) {
        await trx.deleteFrom('ims_profile_members').where('profile_id', '=', profileId).where('account_id', 'in', toRemove).execute();
      }
      if (toAdd.length > 0) {
        await trx.insertInto('ims_profile_members').values(toAdd.map((account_id) => ({ profile_id: profileId, org_id: orgId, account_id }))).execute();
      }
      await bumpProfile(ctx, trx, profileId, {});
      return requireProfile(trx, orgId, profileId);
    });

  return {
    createProfile: (orgId, input) => inTrx(async (trx) => {
      await requireOrg(trx, orgId);
      const name = requireText(input.name, 'name');
      const subscriptionId = input.subscriptionId === undefined ? '' : requireText(input.subscriptionId, 'subscriptionId');
      const id = input.id ?? ctx.newId();
      if (await trx.selectFrom('ims_profiles').select('id').where('id', '=', id).executeTakeFirst()) {
        throw new ImsError('invalid_input', `product profile ${id} already exists`);
      }
      const members = [...new Set(input.members ?? [])];
      await requireMembers(trx, orgId, members);
      const at = ctx.now().toISOString();
      await trx.insertInto('ims_profiles')
        .values({ id, org_id: orgId, name, subscription_id: subscriptionId, external_id: input.externalId ?? null, version: 1, created_at: at, updated_at: at }).execute();
      if (members.length > 0) {
        await trx.insertInto('ims_profile_members').values(members.map((account_id) => ({ profile_id: id, org_id: orgId, account_id }))).execute();
      }
      return requireProfile(trx, orgId, id);
    }),

    getProfile: (orgId, profileId) => inTrx((trx) => loadProfile(trx, orgId, profileId)),

    listProfiles: (orgId, query = {}) => inTrx(async (trx) => {
      const offset = Math.max(0, query.offset ?? 0);
      const limit = Math.max(0, query.limit ?? 100);
      let base = trx.selectFrom('ims_profiles').where('org_id', '=', orgId);
      if (query.filter) base = base.where(compileFilter(query.filter, profileColumns));
      const total = Number((await base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
      if (limit === 0) return { total, items: [] };
      let ordered = base.select('id');
      if (query.sort) ordered = ordered.orderBy(sortExpression(query.sort.attr, profileColumns), query.sort.descending ? 'desc' : 'asc');
      const ids = await ordered.orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
      const items = await Promise.all(ids.map((r) => requireProfile(trx, orgId, r.id)));
      return { total, items };
    }),

    updateProfile: (orgId, profileId, patch, options) => inTrx(async (trx) => {
      const profile = await requireProfile(trx, orgId, profileId);
      checkVersion('product profile', profileId, profile.version, options?.expectedVersion);
      const set: { name?: string; subscription_id?: string; external_id?: string | null } = {};
      if (patch.name !== undefined && patch.name.trim() !== profile.name) set.name = requireText(patch.name, 'name');
      if (patch.subscriptionId !== undefined && patch.subscriptionId.trim() !== profile.subscriptionId) {
        set.subscription_id = requireText(patch.subscriptionId, 'subscriptionId');
      }
      if (patch.externalId !== undefined && patch.externalId !== profile.externalId) set.external_id = patch.externalId;
      if (Object.keys(set).length === 0) return profile;
      await bumpProfile(ctx, trx, profileId, set);
      return requireProfile(trx, orgId, profileId);
    }),

    setProfileMembers: (orgId, profileId, accountIds, options) => changeMembers(orgId, profileId, options?.expectedVersion, () => accountIds),
    addProfileMembers: (orgId, profileId, accountIds, options) =>
      changeMembers(orgId, profileId, options?.expectedVersion, (current) => [...current, ...accountIds]),
    removeProfileMembers: (orgId, profileId, accountIds, options) =>
      changeMembers(orgId, profileId, options?.expectedVersion, (current) => current.filter((id) => !accountIds.includes(id))),

    deleteProfile: (orgId, profileId) => inTrx(async (trx) => {
      await requireProfile(trx, orgId, profileId);
      await trx.deleteFrom('ims_profile_members').where('profile_id', '=', profileId).execute();
      await trx.deleteFrom('ims_profiles').where('id', '=', profileId).execute();
    }),
  };
}

function requireText(value: string | undefined, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw new ImsError('invalid_input', `${field} must not be empty`);
  return text;
}

async function requireMembers(trx: ImsTrx, orgId: string, accountIds: string[]): Promise<void> {
  if (accountIds.length === 0) return;
  const found = await trx.selectFrom('ims_org_members').select('account_id')
    .where('org_id', '=', orgId).where('account_id', 'in', accountIds).execute();
  const known = new Set(found.map((r) => r.account_id));
  const missing = accountIds.filter((id) => !known.has(id));
  if (missing.length > 0) throw new ImsError('invalid_input', `not members of the organization: ${missing.join(', ')}`);
}

async function bumpProfile(ctx: DirectoryContext, trx: ImsTrx, profileId: string, set: { name?: string; subscription_id?: string; external_id?: string | null }): Promise<void> {
  await trx.updateTable('ims_profiles')
    .set((eb) => ({ ...set, version: eb('version', '+', 1), updated_at: ctx.now().toISOString() }))
    .where('id', '=', profileId).execute();
}

async function loadProfile(trx: ImsTrx, orgId: string, profileId: string): Promise<ProductProfileRecord | undefined> {
  const row = await trx.selectFrom('ims_profiles').selectAll().where('id', '=', profileId).where('org_id', '=', orgId).executeTakeFirst();
  if (!row) return undefined;
  const members = await trx.selectFrom('ims_profile_members').select('account_id').where('profile_id', '=', profileId).orderBy('account_id').execute();
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    subscriptionId: row.subscription_id,
    members: members.map((m) => m.account_id),
    externalId: row.external_id,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function requireProfile(trx: ImsTrx, orgId: string, profileId: string): Promise<ProductProfileRecord> {
  const profile = await loadProfile(trx, orgId, profileId);
  if (!profile) throw new ImsError('not_found', `product profile ${profileId} not found`);
  return profile;
}
