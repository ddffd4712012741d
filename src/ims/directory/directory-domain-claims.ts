import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { ImsTables, ImsTrx } from '../ims-tables.ts';
import { normalizeDomain, type DirectoryContext } from './directory-context.ts';
import { rejectFreeMailDomain } from './free-mail-domains.ts';
import { ImsError, type DomainClaimState, type ImsDirectoryService } from './ims-directory.ts';

/** Row shape of `ims_pending_domains` (migration `0011_ims_pending_domains`). */
export type PendingDomainTables = {
  ims_pending_domains: { org_id: string; domain: string; token: string; claimed_by: string; claimed_at: string };
};

type ClaimTrx = Transaction<ImsTables & PendingDomainTables>;

/** More pending claims than any organization needs: a client cannot fill the table. */
const MAX_PENDING_PER_ORG = 50;

type DomainClaimMethods = Pick<ImsDirectoryService, 'requestDomainClaim' | 'listDomainClaims' | 'confirmDomainClaim'>;

/** Claims an org API client asks for: pending until the DNS proof is found (domain-verification.ts). */
export function createDomainClaimMethods(ctx: DirectoryContext, helpers: {
  requireOrg: (trx: ImsTrx, orgId: string) => Promise<unknown>;
  bumpOrg: (trx: ImsTrx, orgId: string) => Promise<void>;
}): DomainClaimMethods {
  const inTrx = <T>(fn: (trx: ClaimTrx, plain: ImsTrx) => Promise<T>): Promise<T> =>
    ctx.db.transaction().execute((trx) => fn(trx.withTables<PendingDomainTables>(), trx));

  return {
    requestDomainClaim: (orgId, domain, claimedBy) => inTrx(async (trx, plain) => {
      await helpers.requireOrg(plain, orgId);
      const ascii = normalizeDomain(domain);
      rejectFreeMailDomain(ascii);
      await rejectHeldElsewhere(trx, orgId, ascii);
      const held = await claimState(trx, orgId, ascii);
      if (held) return held;
      const pending = await trx.selectFrom('ims_pending_domains').select((eb) => eb.fn.countAll<number | string>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
      if (Number(pending.n) >= MAX_PENDING_PER_ORG) {
        throw new ImsError('invalid_input', `the organization has ${MAX_PENDING_PER_ORG} pending domain claims: verify or withdraw some first`);
      }
      await trx.insertInto('ims_pending_domains')
        .values({ org_id: orgId, domain: ascii, token: randomBytes(16).toString('hex'), claimed_by: claimedBy, claimed_at: ctx.now().toISOString() })
        .execute();
      return (await claimState(trx, orgId, ascii))!;
    }),

    listDomainClaims: (orgId) => inTrx(async (trx, plain) => {
      await helpers.requireOrg(plain, orgId);
      const claimed = await trx.selectFrom('ims_org_domains').selectAll().where('org_id', '=', orgId).execute();
      const pending = await trx.selectFrom('ims_pending_domains').selectAll().where('org_id', '=', orgId).execute();
      const states: DomainClaimState[] = [
        ...claimed.map((d): DomainClaimState => ({ status: 'claimed', domain: d.domain, claimedBy: d.claimed_by, claimedAt: d.claimed_at })),
        ...pending.map((d): DomainClaimState => ({ status: 'pending', domain: d.domain, token: d.token, claimedBy: d.claimed_by, claimedAt: d.claimed_at })),
      ];
      return states.sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
    }),

    confirmDomainClaim: (orgId, domain) => inTrx(async (trx, plain) => {
      await helpers.requireOrg(plain, orgId);
      const ascii = normalizeDomain(domain);
      const state = await claimState(trx, orgId, ascii);
      if (state === undefined) throw new ImsError('not_found', `${ascii} has no pending claim of this organization`);
      if (state.status === 'claimed') return state;
      // A domain listed as free mail after the claim was asked for still never becomes an org's.
      rejectFreeMailDomain(ascii);
      await rejectHeldElsewhere(trx, orgId, ascii);
      await trx.insertInto('ims_org_domains').values({ domain: ascii, org_id: orgId, claimed_by: state.claimedBy, claimed_at: ctx.now().toISOString() }).execute();
      await trx.deleteFrom('ims_pending_domains').where('org_id', '=', orgId).where('domain', '=', ascii).execute();
      await helpers.bumpOrg(plain, orgId);
      return (await claimState(trx, orgId, ascii))!;
    }),
  };
}

async function claimState(trx: ClaimTrx, orgId: string, domain: string): Promise<DomainClaimState | undefined> {
  const claimed = await trx.selectFrom('ims_org_domains').selectAll().where('org_id', '=', orgId).where('domain', '=', domain).executeTakeFirst();
  if (claimed) return { status: 'claimed', domain, claimedBy: claimed.claimed_by, claimedAt: claimed.claimed_at };
  const pending = await trx.selectFrom('ims_pending_domains').selectAll().where('org_id', '=', orgId).where('domain', '=', domain).executeTakeFirst();
  return pending && { status: 'pending', domain, token: pending.token, claimedBy: pending.claimed_by, claimedAt: pending.claimed_at };
}

async function rejectHeldElsewhere(trx: ClaimTrx, orgId: string, domain: string): Promise<void> {
  const holder = await trx.selectFrom('ims_org_domains').select('org_id').where('domain', '=', domain).executeTakeFirst();
  if (holder && holder.org_id !== orgId) throw new ImsError('domain_claimed', `${domain} is claimed by another organization`);
}

/** Withdraws the org's pending claims (on release of one domain, or all when the org is deleted). */
export async function dropPendingClaims(trx: ImsTrx, orgId: string, domain?: string): Promise<number> {
  let query = trx.withTables<PendingDomainTables>().deleteFrom('ims_pending_domains').where('org_id', '=', orgId);
  if (domain !== undefined) query = query.where('domain', '=', domain);
  return Number((await query.executeTakeFirst()).numDeletedRows);
}
