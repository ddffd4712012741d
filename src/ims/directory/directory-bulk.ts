import { sql } from 'kysely';
import type { ImsDb, ImsTrx } from '../ims-tables.ts';
import { insertAccounts, MEMBER_COLUMNS } from './directory-bulk-accounts.ts';
import { removeAccount } from './directory-accounts.ts';
import { checkEmail, toAccount, toOrgAccount, type DirectoryContext } from './directory-context.ts';
import { requireOrg } from './directory-orgs.ts';
import { ImsError, type BulkResult, type ImsDirectoryService, type ImsOrgAccount } from './ims-directory.ts';
import { dialectOf, insertJsonRows, inList, stageJsonRows, type JsonColumn } from '../../store/bulk-sql.ts';

type BulkMethods = Pick<
  ImsDirectoryService,
  | 'createAccounts' | 'createOrgAccounts' | 'addOrgMembers' | 'getOrgAccounts' | 'findOrgAccountsByExternalIds'
  | 'findAccountsByEmails' | 'grantProfileMembers' | 'cancelPendingSignUps'
>;

const CHANGED_COLUMNS: JsonColumn[] = [{ name: 'account_id', pg: 'text' }, { name: 'external_id', pg: 'text' }];
const PROFILE_MEMBER_COLUMNS: JsonColumn[] = [{ name: 'profile_id', pg: 'text' }, { name: 'org_id', pg: 'text' }, { name: 'account_id', pg: 'text' }];

export function createBulkMethods(ctx: DirectoryContext): BulkMethods {
  const { db } = ctx;
  const inTrx = <T>(fn: (trx: ImsTrx) => Promise<T>): Promise<T> => db.transaction().execute(fn);
  return {
    createAccounts: (inputs) => inTrx((trx) => insertAccounts(ctx, trx, inputs)),

    cancelPendingSignUps: async (claims) => {
      const cancelled = await inTrx((trx) => cancelSignUps(ctx, trx, claims));
      if (cancelled.length > 0) await ctx.onSignUpsCancelled?.(cancelled);
      return cancelled;
    },


    createOrgAccounts: (orgId, inputs) => inTrx(async (trx) => {
      await requireOrg(trx, orgId);
      // Nothing an organization provisions is verified: only the person, by proving control, verifies an address.
      const created = await insertAccounts(ctx, trx, inputs.map((input) => ({
        email: input.email, type: input.type, orgId, externalId: input.externalId, emailVerified: false,
        ...(input.userName === undefined ? {} : { userName: input.userName }),
        ...(input.firstName === undefined ? {} : { firstName: input.firstName }),
        ...(input.lastName === undefined ? {} : { lastName: input.lastName }),
        ...(input.status === undefined ? {} : { status: input.status }),
        ...(input.id === undefined ? {} : { id: input.id }),
      })));
      const at = created.find((r) => r.ok)?.value.createdAt ?? '';
      return created.map((r, i): BulkResult<ImsOrgAccount> => r.ok
        ? { ok: true, value: { ...r.value, orgId, externalId: inputs[i]!.externalId, joinedAt: at, suspended: false } }
        : r);
    }),

    addOrgMembers: (orgId, members) => inTrx((trx) => addMembers(ctx, trx, orgId, members)),

    getOrgAccounts: (orgId, accountIds) => selectOrgAccounts(db, orgId, 'account_id', accountIds),

    findOrgAccountsByExternalIds: (orgId, externalIds) => selectOrgAccounts(db, orgId, 'external_id', externalIds),

    async findAccountsByEmails(emails) {
      const norms = [...new Set(emails.flatMap((e) => {
        try {
          return [checkEmail(ctx, e)];
        } catch {
          return [];
        }
      }))];
      if (norms.length === 0) return [];
      const rows = await db.selectFrom('ims_accounts').selectAll().where(inList(dialectOf(db), 'email_norm', norms))
        .orderBy('created_at').orderBy('id').execute();
      return rows.map(toAccount);
    },

    grantProfileMembers: (orgId, profileId, accountIds) => inTrx(async (trx) => {
      const profile = await trx.selectFrom('ims_profiles').select('id').where('id', '=', profileId).where('org_id', '=', orgId).executeTakeFirst();
      if (!profile) throw new ImsError('not_found', `product profile ${profileId} not found`);
      const ids = [...new Set(accountIds)];
      if (ids.length === 0) return { added: 0 };
      const dialect = dialectOf(trx);
      const found = await trx.selectFrom('ims_org_members').select('account_id').where('org_id', '=', orgId).where(inList(dialect, 'account_id', ids)).execute();
      if (found.length !== ids.length) {
        const known = new Set(found.map((r) => r.account_id));
        throw new ImsError('invalid_input', `not members of the organization: ${ids.filter((id) => !known.has(id)).join(', ')}`);
      }
      const added = await insertJsonRows(trx, 'ims_profile_members', PROFILE_MEMBER_COLUMNS, ids.map((id) => [profileId, orgId, id]), { ignoreConflicts: true, dialect });
      if (added > 0) {
        await trx.updateTable('ims_profiles').set((eb) => ({ version: eb('version', '+', 1), updated_at: ctx.now().toISOString() })).where('id', '=', profileId).execute();
      }
      return { added };
    }),
  };
}

async function selectOrgAccounts(db: ImsDb | ImsTrx, orgId: string, key: 'account_id' | 'external_id', values: string[]): Promise<ImsOrgAccount[]> {
  if (values.length === 0) return [];
  const rows = await db.selectFrom('ims_org_members as m').innerJoin('ims_accounts as a', 'a.id', 'm.account_id')
    .selectAll('a').select(['m.org_id', 'm.external_id', 'm.joined_at', 'm.suspended_at'])
    .where('m.org_id', '=', orgId).where(inList(dialectOf(db), `m.${key}`, [...new Set(values)])).execute();
  return rows.map(toOrgAccount);
}

/** `addOrgMember` for a list, in the caller's transaction: one query per kind of check, one multi-row insert. */
async function addMembers(ctx: DirectoryContext, trx: ImsTrx, orgId: string, members: { accountId: string; externalId: string | null }[]): Promise<BulkResult<ImsOrgAccount>[]> {
  await requireOrg(trx, orgId);
  const dialect = dialectOf(trx);
  const accountIds = [...new Set(members.map((m) => m.accountId))];
  const externalIds = [...new Set(members.flatMap((m) => (m.externalId === null ? [] : [m.externalId])))];
  const existing = accountIds.length === 0 ? [] : await trx.selectFrom('ims_accounts').select('id').where(inList(dialect, 'id', accountIds)).execute();
  const current = new Map((await selectOrgAccounts(trx, orgId, 'account_id', accountIds)).map((a) => [a.id, a.externalId]));
  const holders = new Map((await selectOrgAccounts(trx, orgId, 'external_id', externalIds)).map((a) => [a.externalId!, a.id]));
  const known = new Set(existing.map((r) => r.id));
  const at = ctx.now().toISOString();
  const inserts: (string | null)[][] = [];
  const changed: { accountId: string; externalId: string | null }[] = [];
  const outcome = members.map(({ accountId, externalId }): ImsError | undefined => {
    if (!known.has(accountId)) return new ImsError('not_found', `account ${accountId} not found`);
    const isMember = current.has(accountId);
    if (isMember && current.get(accountId) === externalId) return undefined;
    const holder = externalId === null ? undefined : holders.get(externalId);
    if (holder !== undefined && holder !== accountId) return new ImsError('external_id_exists', `externalId ${externalId} is already used in this organization`);
    if (isMember) changed.push({ accountId, externalId });
    else inserts.push([orgId, accountId, externalId, at]);
    current.set(accountId, externalId);
    if (externalId !== null) holders.set(externalId, accountId);
    return undefined;
  });
  await insertJsonRows(trx, 'ims_org_members', MEMBER_COLUMNS, inserts, { dialect });
  if (changed.length > 0) {
    const v = await stageJsonRows(trx, 'ims_bulk_external_ids', CHANGED_COLUMNS, changed.map((c) => [c.accountId, c.externalId]), dialect);
    // Free the old keys first: a list may hand an externalId from one member to another.
    await trx.updateTable('ims_org_members').set({ external_id: null }).where('org_id', '=', orgId).where(inList(dialect, 'account_id', changed.map((c) => c.accountId))).execute();
    await sql`update ims_org_members set external_id = v.external_id from ${v.source} as v
      where ims_org_members.org_id = ${orgId} and ${v.keyIn('ims_org_members.account_id')} and ims_org_members.account_id = v.account_id`.execute(trx);
    // A membership change is a change of the account as the org sees it (SCIM meta.version), as in addOrgMember.
    await trx.updateTable('ims_accounts').set((eb) => ({ version: eb('version', '+', 1), updated_at: at }))
      .where(inList(dialect, 'id', changed.map((c) => c.accountId))).execute();
  }
  const after = new Map((await selectOrgAccounts(trx, orgId, 'account_id', accountIds)).map((a) => [a.id, a]));
  return outcome.map((error, i): BulkResult<ImsOrgAccount> => (error ? { ok: false, error } : { ok: true, value: after.get(members[i]!.accountId)! }));
}

/** Sign-ups that never verified and belong to no organization, holding one of the addresses (by key) or userNames. */
async function cancelSignUps(ctx: DirectoryContext, trx: ImsTrx, claims: { email: string; userName?: string | undefined }[]) {
  const keys = [...new Set(claims.flatMap((c) => { try { return [checkEmail(ctx, c.email)]; } catch { return []; } }))];
  const userNames = [...new Set(claims.flatMap((c) => (c.userName ? [c.userName.trim().toLowerCase()] : [])))];
  if (keys.length === 0 && userNames.length === 0) return [];
  const dialect = dialectOf(trx);
  const rows = await trx.selectFrom('ims_accounts').selectAll().where('email_verified', '=', 0).where('type', '=', 'personal')
    .where((eb) => eb.or([
      ...(keys.length ? [inList(dialect, 'email_norm', keys)] : []),
      ...(userNames.length ? [inList(dialect, 'user_name_norm', userNames)] : []),
    ]))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('ims_org_members').select('account_id').whereRef('ims_org_members.account_id', '=', 'ims_accounts.id'))))
    .execute();
  for (const row of rows) await removeAccount(trx, row.id);
  return rows.map(toAccount);
}
