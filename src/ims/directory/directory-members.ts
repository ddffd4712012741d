import { sql } from 'kysely';
import type { ImsTrx } from '../ims-tables.ts';
import { ensureExternalIdFree, patchAccount, requireAccount } from './directory-accounts.ts';
import { toOrgAccount, checkVersion, type DirectoryContext } from './directory-context.ts';
import { requireMember, requireOrg } from './directory-orgs.ts';
import { compileFilter, sortExpression, type FilterColumn } from './filter-sql.ts';
import { ImsError, type AccountFilterAttr, type ImsDirectoryService, type ImsOrgAccount, type OrgAccountPatch } from './ims-directory.ts';

type MemberMethods = Pick<
  ImsDirectoryService,
  'addOrgMember' | 'removeOrgMember' | 'getOrgAccount' | 'findOrgAccountByExternalId' | 'listOrgAccounts' | 'updateOrgAccount'
>;

const accountColumns: Record<AccountFilterAttr, FilterColumn> = {
  id: { ref: 'a.id' },
  userName: { ref: 'a.user_name' },
  email: { ref: 'a.email' },
  externalId: { ref: 'm.external_id' },
  firstName: { ref: 'a.first_name' },
  lastName: { ref: 'a.last_name' },
  type: { ref: 'a.type' },
  status: { ref: 'a.status' },
  emailVerified: { ref: 'a.email_verified', boolean: true },
  suspended: { ref: 'm.suspended_at' },
  createdAt: { ref: 'a.created_at' },
  updatedAt: { ref: 'a.updated_at' },
};

export function createMemberMethods(ctx: DirectoryContext): MemberMethods {
  const { db } = ctx;
  const inTrx = <T>(fn: (trx: ImsTrx) => Promise<T>): Promise<T> => db.transaction().execute(fn);
  return {
    addOrgMember: (orgId, accountId, options = {}) => inTrx(async (trx) => {
      await requireOrg(trx, orgId);
      await requireAccount(trx, accountId);
      const existing = await loadOrgAccount(trx, orgId, accountId);
      const externalId = options.externalId;
      if (existing) {
        if (externalId === undefined || externalId === existing.externalId) return existing;
        if (externalId !== null) await ensureExternalIdFree(trx, orgId, externalId, accountId);
        await trx.updateTable('ims_org_members').set({ external_id: externalId })
          .where('org_id', '=', orgId).where('account_id', '=', accountId).execute();
        await patchAccount(ctx, trx, accountId, {}, {}, true);
      } else {
        if (typeof externalId === 'string') await ensureExternalIdFree(trx, orgId, externalId, undefined);
        await trx.insertInto('ims_org_members')
          .values({ org_id: orgId, account_id: accountId, external_id: externalId ?? null, joined_at: ctx.now().toISOString() }).execute();
      }
      return requireOrgAccount(trx, orgId, accountId);
    }),

    removeOrgMember: (orgId, accountId) => inTrx(async (trx) => {
      await trx.deleteFrom('ims_profile_members').where('org_id', '=', orgId).where('account_id', '=', accountId).execute();
      await trx.deleteFrom('ims_org_admins').where('org_id', '=', orgId).where('account_id', '=', accountId).execute();
      await trx.deleteFrom('ims_org_members').where('org_id', '=', orgId).where('account_id', '=', accountId).execute();
    }),

    getOrgAccount: (orgId, accountId) => inTrx((trx) => loadOrgAccount(trx, orgId, accountId)),

    async findOrgAccountByExternalId(orgId, externalId) {
      const row = await memberQuery(db as unknown as ImsTrx, orgId).where('m.external_id', '=', externalId).executeTakeFirst();
      return row && toOrgAccount(row);
    },

    async listOrgAccounts(orgId, query = {}) {
      const offset = Math.max(0, query.offset ?? 0);
      const limit = Math.max(0, query.limit ?? 100);
      let base = db.selectFrom('ims_org_members as m').innerJoin('ims_accounts as a', 'a.id', 'm.account_id').where('m.org_id', '=', orgId);
      if (query.filter) base = base.where(compileFilter(query.filter, accountColumns));
      const counted = await base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      const total = Number(counted.n);
      if (limit === 0) return { total, items: [] };
      let ordered = base.selectAll('a').select(['m.org_id', 'm.external_id', 'm.joined_at', 'm.suspended_at']);
      if (query.sort) ordered = ordered.orderBy(sortExpression(query.sort.attr, accountColumns), query.sort.descending ? 'desc' : 'asc');
      const rows = await ordered.orderBy('a.created_at').orderBy('a.id').limit(limit).offset(offset).execute();
      return { total, items: rows.map(toOrgAccount) };
    },

    updateOrgAccount: (orgId, accountId, patch, options = {}) => inTrx(async (trx) => {
      const current = await requireOrgAccount(trx, orgId, accountId);
      checkVersion('account', accountId, current.version, options.expectedVersion);
      const { externalId, suspended, ...profile } = patch;
      if (current.ownerOrgId !== orgId && changesProfile(current, profile)) {
        throw new ImsError('forbidden', 'only the owner may change the profile of a personal account; the organization manages membership');
      }
      const externalChanged = externalId !== undefined && externalId !== current.externalId;
      if (externalChanged) {
        if (externalId !== null) await ensureExternalIdFree(trx, orgId, externalId, accountId);
        await trx.updateTable('ims_org_members').set({ external_id: externalId })
          .where('org_id', '=', orgId).where('account_id', '=', accountId).execute();
      }
      const suspendChanged = suspended !== undefined && suspended !== current.suspended;
      if (suspendChanged) {
        await trx.updateTable('ims_org_members').set({ suspended_at: suspended ? ctx.now().toISOString() : null })
          .where('org_id', '=', orgId).where('account_id', '=', accountId).execute();
      }
      await patchAccount(ctx, trx, accountId, profile, {}, externalChanged || suspendChanged);
      return requireOrgAccount(trx, orgId, accountId);
    }),
  };
}

function changesProfile(current: ImsOrgAccount, patch: Omit<OrgAccountPatch, 'externalId'>): boolean {
  return (Object.keys(patch) as (keyof typeof patch)[]).some((key) => {
    const value = patch[key];
    if (value === undefined) return false;
    return typeof value === 'string' ? value.trim() !== current[key] : value !== current[key];
  });
}

function memberQuery(trx: ImsTrx, orgId: string) {
  return trx.selectFrom('ims_org_members as m').innerJoin('ims_accounts as a', 'a.id', 'm.account_id')
    .selectAll('a').select(['m.org_id', 'm.external_id', 'm.joined_at', 'm.suspended_at']).where('m.org_id', '=', orgId);
}

async function loadOrgAccount(trx: ImsTrx, orgId: string, accountId: string): Promise<ImsOrgAccount | undefined> {
  const row = await memberQuery(trx, orgId).where('m.account_id', '=', accountId).executeTakeFirst();
  return row && toOrgAccount(row);
}

async function requireOrgAccount(trx: ImsTrx, orgId: string, accountId: string): Promise<ImsOrgAccount> {
  await requireMember(trx, orgId, accountId);
  return (await loadOrgAccount(trx, orgId, accountId))!;
}
