import type { ImsTrx } from '../ims-tables.ts';
import { checkVersion, normalizeDomain, type DirectoryContext } from './directory-context.ts';
import { createDomainClaimMethods, dropPendingClaims } from './directory-domain-claims.ts';
import { ImsError, type ImsDirectoryService, type ImsOrgRecord, type SsoFederation } from './ims-directory.ts';

type OrgMethods = Pick<
  ImsDirectoryService,
  | 'createOrg' | 'getOrg' | 'listOrgs' | 'updateOrg' | 'claimDomain' | 'releaseDomain' | 'findOrgByDomain'
  | 'requestDomainClaim' | 'listDomainClaims' | 'confirmDomainClaim'
  | 'addOrgAdmin' | 'removeOrgAdmin' | 'setSsoFederation' | 'deleteOrg'
>;

export function createOrgMethods(ctx: DirectoryContext): OrgMethods {
  const { db } = ctx;
  const inTrx = <T>(fn: (trx: ImsTrx) => Promise<T>): Promise<T> => db.transaction().execute(fn);
  return {
    // Claims nobody vouched for (org API clients): pending until DNS proves them.
    ...createDomainClaimMethods(ctx, { requireOrg, bumpOrg: (trx, orgId) => bumpOrg(ctx, trx, orgId, {}) }),

    createOrg: (input) => inTrx(async (trx) => {
      const name = input.name?.trim() ?? '';
      if (name === '') throw new ImsError('invalid_input', 'organization name must not be empty');
      const id = input.id ?? ctx.newId();
      if (await trx.selectFrom('ims_orgs').select('id').where('id', '=', id).executeTakeFirst()) {
        throw new ImsError('invalid_input', `organization ${id} already exists`);
      }
      const at = ctx.now().toISOString();
      await trx.insertInto('ims_orgs').values({ id, name, sso_json: null, version: 1, created_at: at, updated_at: at }).execute();
      return requireOrg(trx, id);
    }),

    getOrg: (orgId) => inTrx((trx) => loadOrg(trx, orgId)),

    listOrgs: () => inTrx(async (trx) => {
      const ids = await trx.selectFrom('ims_orgs').select('id').orderBy('created_at').orderBy('id').execute();
      return Promise.all(ids.map((r) => requireOrg(trx, r.id)));
    }),

    updateOrg: (orgId, patch, options) => inTrx(async (trx) => {
      const org = await requireOrg(trx, orgId);
      checkVersion('organization', orgId, org.version, options?.expectedVersion);
      if (patch.name === undefined || patch.name.trim() === org.name) return org;
      if (patch.name.trim() === '') throw new ImsError('invalid_input', 'organization name must not be empty');
      await bumpOrg(ctx, trx, orgId, { name: patch.name.trim() });
      return requireOrg(trx, orgId);
    }),

    claimDomain: (orgId, domain, claimedBy) => inTrx(async (trx) => {
      await requireOrg(trx, orgId);
      const ascii = normalizeDomain(domain);
      const holder = await trx.selectFrom('ims_org_domains').select('org_id').where('domain', '=', ascii).executeTakeFirst();
      if (holder && holder.org_id !== orgId) throw new ImsError('domain_claimed', `${ascii} is claimed by another organization`);
      if (!holder) {
        await trx.insertInto('ims_org_domains')
          .values({ domain: ascii, org_id: orgId, claimed_by: claimedBy, claimed_at: ctx.now().toISOString() }).execute();
        await bumpOrg(ctx, trx, orgId, {});
      }
      // Vouched for now: the org's own pending claim on it has nothing left to prove.
      await dropPendingClaims(trx, orgId, ascii);
      return requireOrg(trx, orgId);
    }),

    releaseDomain: (orgId, domain) => inTrx(async (trx) => {
      const org = await requireOrg(trx, orgId);
      const ascii = normalizeDomain(domain);
      await dropPendingClaims(trx, orgId, ascii);
      const result = await trx.deleteFrom('ims_org_domains').where('domain', '=', ascii).where('org_id', '=', orgId).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return org;
      // Federation cannot outlive the claim it rests on.
      const sso = org.sso && { ...org.sso, domains: org.sso.domains.filter((d) => d !== ascii) };
      await bumpOrg(ctx, trx, orgId, { sso_json: sso && sso.domains.length > 0 ? JSON.stringify(sso) : null });
      return requireOrg(trx, orgId);
    }),

    findOrgByDomain: (domain) => inTrx(async (trx) => {
      const row = await trx.selectFrom('ims_org_domains').select('org_id').where('domain', '=', normalizeDomain(domain)).executeTakeFirst();
      return row ? loadOrg(trx, row.org_id) : undefined;
    }),

    addOrgAdmin: (orgId, accountId) => inTrx(async (trx) => {
      await requireOrg(trx, orgId);
      await requireMember(trx, orgId, accountId);
      const existing = await trx.selectFrom('ims_org_admins').select('account_id')
        .where('org_id', '=', orgId).where('account_id', '=', accountId).executeTakeFirst();
      if (!existing) {
        await trx.insertInto('ims_org_admins').values({ org_id: orgId, account_id: accountId }).execute();
        await bumpOrg(ctx, trx, orgId, {});
      }
      return requireOrg(trx, orgId);
    }),

    removeOrgAdmin: (orgId, accountId) => inTrx(async (trx) => {
      await requireOrg(trx, orgId);
      const result = await trx.deleteFrom('ims_org_admins').where('org_id', '=', orgId).where('account_id', '=', accountId).executeTakeFirst();
      if (Number(result.numDeletedRows) > 0) await bumpOrg(ctx, trx, orgId, {});
      return requireOrg(trx, orgId);
    }),

    setSsoFederation: (orgId, sso) => inTrx(async (trx) => {
      const org = await requireOrg(trx, orgId);
      const checked = sso && checkSso(sso, new Set(org.domains.map((d) => d.domain)));
      await bumpOrg(ctx, trx, orgId, { sso_json: checked ? JSON.stringify(checked) : null });
      return requireOrg(trx, orgId);
    }),

    deleteOrg: (orgId) => inTrx(async (trx) => {
      await trx.deleteFrom('ims_profile_members').where('org_id', '=', orgId).execute();
      await trx.deleteFrom('ims_profiles').where('org_id', '=', orgId).execute();
      await trx.deleteFrom('ims_org_admins').where('org_id', '=', orgId).execute();
      await trx.deleteFrom('ims_org_members').where('org_id', '=', orgId).execute();
      await trx.deleteFrom('ims_org_domains').where('org_id', '=', orgId).execute();
      await dropPendingClaims(trx, orgId);
      await trx.updateTable('ims_accounts').set({ owner_org_id: null }).where('owner_org_id', '=', orgId).execute();
      await trx.deleteFrom('ims_orgs').where('id', '=', orgId).execute();
    }),
  };
}

function checkSso(sso: SsoFederation, claimed: Set<string>): SsoFederation {
  const domains = [...new Set(sso.domains.map(normalizeDomain))];
  if (domains.length === 0) throw new ImsError('invalid_input', 'sso.domains must name at least one domain');
  const unclaimed = domains.filter((d) => !claimed.has(d));
  if (unclaimed.length > 0) throw new ImsError('invalid_input', `sso.domains not claimed by the organization: ${unclaimed.join(', ')}`);
  let issuer: URL;
  try {
    issuer = new URL(sso.issuer);
  } catch {
    throw new ImsError('invalid_input', 'sso.issuer must be a URL');
  }
  if (issuer.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname)) {
    throw new ImsError('invalid_input', 'sso.issuer must be an https URL (http only on loopback)');
  }
  if (!sso.clientId?.trim()) throw new ImsError('invalid_input', 'sso.clientId must not be empty');
  return { domains, issuer: sso.issuer, clientId: sso.clientId.trim(), clientSecret: sso.clientSecret ?? '' };
}

async function bumpOrg(ctx: DirectoryContext, trx: ImsTrx, orgId: string, set: { name?: string; sso_json?: string | null }): Promise<void> {
  await trx.updateTable('ims_orgs')
    .set((eb) => ({ ...set, version: eb('version', '+', 1), updated_at: ctx.now().toISOString() }))
    .where('id', '=', orgId).execute();
}

export async function loadOrg(trx: ImsTrx, orgId: string): Promise<ImsOrgRecord | undefined> {
  const row = await trx.selectFrom('ims_orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
  if (!row) return undefined;
  const domains = await trx.selectFrom('ims_org_domains').selectAll().where('org_id', '=', orgId).orderBy('domain').execute();
  const admins = await trx.selectFrom('ims_org_admins').select('account_id').where('org_id', '=', orgId).orderBy('account_id').execute();
  return {
    id: row.id,
    name: row.name,
    domains: domains.map((d) => ({ domain: d.domain, claimedBy: d.claimed_by, claimedAt: d.claimed_at })),
    admins: admins.map((a) => a.account_id),
    sso: row.sso_json ? (JSON.parse(row.sso_json) as SsoFederation) : null,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function requireOrg(trx: ImsTrx, orgId: string): Promise<ImsOrgRecord> {
  const org = await loadOrg(trx, orgId);
  if (!org) throw new ImsError('not_found', `organization ${orgId} not found`);
  return org;
}

export async function requireMember(trx: ImsTrx, orgId: string, accountId: string): Promise<void> {
  const row = await trx.selectFrom('ims_org_members').select('account_id')
    .where('org_id', '=', orgId).where('account_id', '=', accountId).executeTakeFirst();
  if (!row) throw new ImsError('not_found', `account ${accountId} not found in organization ${orgId}`);
}
