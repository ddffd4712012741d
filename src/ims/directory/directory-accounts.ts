import type { ImsTrx } from '../ims-tables.ts';
import {
  addressOf,
  checkEmail,
  checkStatus,
  checkType,
  checkVersion,
  toAccount,
  type DirectoryContext,
} from './directory-context.ts';
import {
  ImsError,
  type AccountMembership,
  type AccountPatch,
  type AccountType,
  type ImsAccountRecord,
  type ImsDirectoryService,
  type NewAccount,
  type VerifyEmailResult,
  type WriteOptions,
} from './ims-directory.ts';

type AccountMethods = Pick<
  ImsDirectoryService,
  | 'createAccount' | 'getAccount' | 'findAccountsByEmail' | 'findVerifiedAccount' | 'findAccountByUserName'
  | 'updateAccount' | 'setPasswordHash' | 'verifyEmail' | 'disableAccount' | 'deleteAccount' | 'listMemberships'
  | 'linkFederatedIdentity' | 'findAccountByFederatedIdentity' | 'address'
>;

export function createAccountMethods(ctx: DirectoryContext): AccountMethods {
  const { db } = ctx;
  return {
    address: (email) => addressOf(email, ctx.emailPolicy),

    createAccount: (input) => db.transaction().execute((trx) => insertAccount(ctx, trx, input)),

    async getAccount(id) {
      const row = await db.selectFrom('ims_accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAccount(row);
    },

    async findAccountsByEmail(email) {
      const rows = await db.selectFrom('ims_accounts').selectAll().where('email_norm', '=', checkEmail(ctx, email))
        .orderBy('created_at').orderBy('id').execute();
      return rows.map(toAccount);
    },

    async findVerifiedAccount(email, type = 'personal') {
      const row = await db.selectFrom('ims_accounts').selectAll()
        .where('email_norm', '=', checkEmail(ctx, email)).where('email_verified', '=', 1).where('type', '=', type)
        .executeTakeFirst();
      return row && toAccount(row);
    },

    async findAccountByUserName(userName) {
      const row = await db.selectFrom('ims_accounts').selectAll()
        .where('user_name_norm', '=', userName.trim().toLowerCase()).executeTakeFirst();
      return row && toAccount(row);
    },

    updateAccount: (id, patch, options) => db.transaction().execute((trx) => patchAccount(ctx, trx, id, patch, options)),

    async setPasswordHash(id, passwordHash) {
      const result = await db.updateTable('ims_accounts')
        .set((eb) => ({ password_hash: passwordHash, version: eb('version', '+', 1), updated_at: ctx.now().toISOString() }))
        .where('id', '=', id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new ImsError('not_found', `account ${id} not found`);
    },

    verifyEmail: (id, email) => db.transaction().execute((trx) => verifyEmailIn(ctx, trx, id, email)),

    disableAccount: (id) => db.transaction().execute((trx) => patchAccount(ctx, trx, id, { status: 'disabled' })),

    deleteAccount: (id) => db.transaction().execute((trx) => removeAccount(trx, id)),

    async listMemberships(accountId) {
      // A membership the org deactivated (SCIM active: false on a personal account) grants nothing.
      const orgs = await db.selectFrom('ims_org_members').select('org_id').where('account_id', '=', accountId)
        .where('suspended_at', 'is', null).orderBy('org_id').execute();
      const profiles = await db.selectFrom('ims_profile_members').select(['org_id', 'profile_id'])
        .where('account_id', '=', accountId).orderBy('profile_id').execute();
      return orgs.map((o): AccountMembership => ({
        orgId: o.org_id,
        profileIds: profiles.filter((p) => p.org_id === o.org_id).map((p) => p.profile_id),
      }));
    },

    async linkFederatedIdentity(accountId, issuer, subject) {
      await db.transaction().execute(async (trx) => {
        await requireAccount(trx, accountId);
        const existing = await trx.selectFrom('ims_federated_identities').select('account_id')
          .where('issuer', '=', issuer).where('subject', '=', subject).executeTakeFirst();
        if (existing && existing.account_id !== accountId) {
          throw new ImsError('account_exists', 'this upstream identity is already linked to another account');
        }
        if (!existing) {
          await trx.insertInto('ims_federated_identities')
            .values({ issuer, subject, account_id: accountId, created_at: ctx.now().toISOString() }).execute();
        }
      });
    },

    async findAccountByFederatedIdentity(issuer, subject) {
      const row = await db.selectFrom('ims_federated_identities as f').innerJoin('ims_accounts as a', 'a.id', 'f.account_id')
        .selectAll('a').where('f.issuer', '=', issuer).where('f.subject', '=', subject).executeTakeFirst();
      return row && toAccount(row);
    },
  };
}

export async function insertAccount(ctx: DirectoryContext, trx: ImsTrx, input: NewAccount): Promise<ImsAccountRecord> {
  const { key: emailNorm, delivery } = addressOf(input.email, ctx.emailPolicy);
  const type = checkType(input.type ?? 'personal');
  const status = checkStatus(input.status ?? 'active');
  const userName = (input.userName ?? delivery).trim();
  if (userName === '') throw new ImsError('invalid_input', 'userName must not be empty');
  if (type !== 'personal' && !input.orgId) throw new ImsError('invalid_input', `a ${type} account needs an owning orgId`);
  if (typeof input.externalId === 'string' && !input.orgId) throw new ImsError('invalid_input', 'externalId needs an orgId');
  const verified = input.emailVerified === true;
  await ensureUserNameFree(trx, userName);
  if (verified) await ensureEmailFree(trx, emailNorm, type, undefined);
  if (input.orgId) {
    const org = await trx.selectFrom('ims_orgs').select('id').where('id', '=', input.orgId).executeTakeFirst();
    if (!org) throw new ImsError('not_found', `organization ${input.orgId} not found`);
    if (typeof input.externalId === 'string') await ensureExternalIdFree(trx, input.orgId, input.externalId, undefined);
  }
  const at = ctx.now().toISOString();
  const id = input.id ?? ctx.newId();
  if (await trx.selectFrom('ims_accounts').select('id').where('id', '=', id).executeTakeFirst()) {
    throw new ImsError('account_exists', `account ${id} already exists`);
  }
  const row = {
    id,
    email: delivery,
    email_norm: emailNorm,
    email_verified: verified ? 1 : 0,
    type,
    owner_org_id: type === 'personal' ? null : input.orgId ?? null,
    first_name: input.firstName?.trim() ?? '',
    last_name: input.lastName?.trim() ?? '',
    user_name: userName,
    user_name_norm: userName.toLowerCase(),
    status,
    password_hash: input.passwordHash ?? null,
    version: 1,
    created_at: at,
    updated_at: at,
  };
  await trx.insertInto('ims_accounts').values(row).execute();
  if (input.orgId) {
    await trx.insertInto('ims_org_members')
      .values({ org_id: input.orgId, account_id: id, external_id: input.externalId ?? null, joined_at: at }).execute();
  }
  return toAccount(row);
}

export async function patchAccount(
  ctx: DirectoryContext,
  trx: ImsTrx,
  id: string,
  patch: AccountPatch,
  options: WriteOptions = {},
  extraVersionBump = false,
): Promise<ImsAccountRecord> {
  const current = await requireAccount(trx, id);
  checkVersion('account', id, current.version, options.expectedVersion);
  const next = { ...current };
  if (patch.userName !== undefined && patch.userName.trim() !== current.userName) {
    const userName = patch.userName.trim();
    if (userName === '') throw new ImsError('invalid_input', 'userName must not be empty');
    if (userName.toLowerCase() !== current.userName.toLowerCase()) await ensureUserNameFree(trx, userName);
    next.userName = userName;
  }
  if (patch.email !== undefined && patch.email.trim() !== current.email) {
    const { key, delivery } = addressOf(patch.email, ctx.emailPolicy);
    next.emailNormalized = key;
    next.email = delivery;
    // A new address is unverified until proven, unless the caller vouches for it explicitly.
    if (next.emailNormalized !== current.emailNormalized) next.emailVerified = patch.emailVerified === true;
  } else if (patch.emailVerified !== undefined) {
    next.emailVerified = patch.emailVerified;
  }
  if (next.emailVerified && (!current.emailVerified || next.emailNormalized !== current.emailNormalized)) {
    await ensureEmailFree(trx, next.emailNormalized, current.type, id);
  }
  if (patch.firstName !== undefined) next.firstName = patch.firstName.trim();
  if (patch.lastName !== undefined) next.lastName = patch.lastName.trim();
  if (patch.status !== undefined) next.status = checkStatus(patch.status);
  const changed = extraVersionBump || (Object.keys(next) as (keyof ImsAccountRecord)[]).some((k) => next[k] !== current[k]);
  if (!changed) return current;
  next.version = current.version + 1;
  next.updatedAt = ctx.now().toISOString();
  const result = await trx.updateTable('ims_accounts').set({
    email: next.email,
    email_norm: next.emailNormalized,
    email_verified: next.emailVerified ? 1 : 0,
    first_name: next.firstName,
    last_name: next.lastName,
    user_name: next.userName,
    user_name_norm: next.userName.toLowerCase(),
    status: next.status,
    version: next.version,
    updated_at: next.updatedAt,
  }).where('id', '=', id).where('version', '=', current.version).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new ImsError('version_mismatch', `account ${id} changed concurrently`);
  return next;
}

async function verifyEmailIn(ctx: DirectoryContext, trx: ImsTrx, id: string, email: string): Promise<VerifyEmailResult> {
  const account = await patchAccount(ctx, trx, id, { email, emailVerified: true });
  // Pre-hijacking defence: whoever claimed this address first without proving it loses the claim now.
  const claimants = await trx.selectFrom('ims_accounts').selectAll()
    .where('email_norm', '=', account.emailNormalized).where('email_verified', '=', 0).where('type', '=', 'personal')
    .where('id', '<>', id).execute();
  const invalidatedAccountIds: string[] = [];
  for (const claimant of claimants) {
    const memberships = await trx.selectFrom('ims_org_members').select('org_id').where('account_id', '=', claimant.id).execute();
    if (memberships.length === 0) {
      await removeAccount(trx, claimant.id);
    } else {
      // An org added this account: keep the record for the org's admins, but nobody can use it any more.
      await trx.updateTable('ims_accounts')
        .set({ status: 'disabled', password_hash: null, version: Number(claimant.version) + 1, updated_at: ctx.now().toISOString() })
        .where('id', '=', claimant.id).execute();
    }
    invalidatedAccountIds.push(claimant.id);
  }
  return { account, invalidatedAccountIds };
}

export async function removeAccount(trx: ImsTrx, id: string): Promise<void> {
  await trx.deleteFrom('ims_profile_members').where('account_id', '=', id).execute();
  await trx.deleteFrom('ims_org_admins').where('account_id', '=', id).execute();
  await trx.deleteFrom('ims_org_members').where('account_id', '=', id).execute();
  await trx.deleteFrom('ims_federated_identities').where('account_id', '=', id).execute();
  await trx.deleteFrom('ims_tokens').where('account_id', '=', id).execute();
  await trx.deleteFrom('ims_oidc').where('account_id', '=', id).execute();
  await trx.deleteFrom('ims_accounts').where('id', '=', id).execute();
}

export async function requireAccount(trx: ImsTrx, id: string): Promise<ImsAccountRecord> {
  const row = await trx.selectFrom('ims_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ImsError('not_found', `account ${id} not found`);
  return toAccount(row);
}

async function ensureUserNameFree(trx: ImsTrx, userName: string): Promise<void> {
  const taken = await trx.selectFrom('ims_accounts').select('id').where('user_name_norm', '=', userName.toLowerCase()).executeTakeFirst();
  if (taken) throw new ImsError('account_exists', `userName ${userName} is taken`);
}

async function ensureEmailFree(trx: ImsTrx, emailNorm: string, type: AccountType, exceptId: string | undefined): Promise<void> {
  let query = trx.selectFrom('ims_accounts').select('id')
    .where('email_norm', '=', emailNorm).where('email_verified', '=', 1).where('type', '=', type);
  if (exceptId) query = query.where('id', '<>', exceptId);
  if (await query.executeTakeFirst()) throw new ImsError('email_taken', `another ${type} account already verified this email`);
}

export async function ensureExternalIdFree(trx: ImsTrx, orgId: string, externalId: string, exceptAccountId: string | undefined): Promise<void> {
  let query = trx.selectFrom('ims_org_members').select('account_id').where('org_id', '=', orgId).where('external_id', '=', externalId);
  if (exceptAccountId) query = query.where('account_id', '<>', exceptAccountId);
  if (await query.executeTakeFirst()) throw new ImsError('external_id_exists', `externalId ${externalId} is already used in this organization`);
}
