import { removeOrgUser, requireOrgUser, setOrgUserActive } from '../../../ims/admin-api/deprovision-org-user.ts';
import { provisionOrgUser } from '../../../ims/admin-api/provision-org-user.ts';
import { isImsError, type ImsAccountRecord, type ImsDirectoryService, type ImsOrgAccount } from '../../../ims/directory/ims-directory.ts';
import { IdpError, type IdentityProvider, type IdpLimits, type IdpUser } from '../../../ports/identity-provider.ts';
import { createEmbeddedBatchMethods } from './embedded-idp-batch.ts';
import { translate } from './embedded-errors.ts';

export interface EmbeddedIdpOptions {
  directory: ImsDirectoryService;
  /** The organization this adapter acts for. */
  orgId: string;
  /** The embedded IMS's OpenID Connect issuer URL. */
  issuer: string;
  /** Members per directory call (default 500): keeps one transaction short on a large profile. */
  batchSize?: number;
}

/** The IdentityProvider port over the embedded IMS directory, in process (no HTTP, no token). */
export function createEmbeddedIdp(options: EmbeddedIdpOptions): IdentityProvider {
  const { directory, orgId, issuer } = options;
  const limits: IdpLimits = { batchSize: options.batchSize ?? 500, requestsPerMinute: null, concurrency: Infinity, timeoutMs: null };
  // Profiles have no unique (org, subscription) key: serialise ensureProductProfile within this process.
  let profileLock: Promise<unknown> = Promise.resolve();

  const toUser = async (account: ImsAccountRecord | ImsOrgAccount): Promise<IdpUser> => {
    const externalId = 'externalId' in account ? account.externalId : (await directory.getOrgAccount(orgId, account.id))?.externalId ?? null;
    return {
      id: account.id,
      externalId,
      email: account.email,
      emailVerified: account.emailVerified,
      type: account.type,
      active: account.status === 'active',
    };
  };

  const findByExternalId = (externalId: string) => directory.findOrgAccountByExternalId(orgId, externalId);

  const idp: IdentityProvider = {
    findUser: (query) => translate('findUser', async () => {
      if (query.externalId !== undefined) {
        const linked = await findByExternalId(query.externalId);
        if (linked) return toUser(linked);
      }
      if (query.email === undefined) return undefined;
      const verified = (await directory.findAccountsByEmail(query.email))
        .filter((a) => a.emailVerified && a.status !== 'disabled' && (query.types === undefined || query.types.includes(a.type)));
      if (verified.length > 1) {
        throw new IdpError('ambiguous', `findUser: ${verified.length} verified accounts use this email; an admin must choose one`);
      }
      return verified[0] && toUser(verified[0]);
    }),

    createUser: (input) => translate('createUser', async () => {
      const existing = await findByExternalId(input.externalId);
      if (existing) return toUser(existing);
      try {
        // The IMS's own provisioning rules, as SCIM POST /Users applies them: the same outcome in and out of process.
        const { account } = await provisionOrgUser(directory, orgId, {
          email: input.email,
          userName: input.userName ?? input.email,
          firstName: input.firstName,
          lastName: input.lastName,
          externalId: input.externalId,
          ...(input.type === undefined ? {} : { type: input.type }),
          ...(input.linkExisting === undefined ? {} : { linkExisting: input.linkExisting }),
        });
        return toUser(account);
      } catch (error) {
        // A concurrent create with the same key won the race (its userName or externalId clashed with ours):
        // that account is the answer.
        const winner = await findByExternalId(input.externalId);
        if (winner) return toUser(winner);
        // linkExisting: false met an account the rules would have linked: say so in the port's own terms.
        if (input.linkExisting === false && isImsError(error, 'email_taken')) throw new IdpError('exists', `createUser: ${error.message}`, { cause: error });
        throw error;
      }
    }),

    linkUser: (userId, externalId) => translate('linkUser', async () => {
      const current = await directory.getOrgAccount(orgId, userId);
      if (current?.externalId === externalId) return toUser(current);
      if (current !== undefined && current.externalId !== null) {
        throw new IdpError('conflict', `linkUser: account ${userId} is already linked to ${current.externalId}`);
      }
      return toUser(await directory.addOrgMember(orgId, userId, { externalId }));
    }),

    updateUser: (userId, patch) => translate('updateUser', async () => {
      const { active, ...profile } = patch;
      let account = await requireOrgUser(directory, orgId, userId);
      if (Object.values(profile).some((v) => v !== undefined)) account = await directory.updateOrgAccount(orgId, userId, profile);
      if (active !== undefined) account = await setOrgUserActive(directory, orgId, account, active);
      return toUser(account);
    }),

    ensureProductProfile: (input) => translate('ensureProductProfile', () => {
      const run = profileLock.then(async () => {
        const found = await directory.listProfiles(orgId, { filter: { op: 'eq', attr: 'subscriptionId', value: input.subscriptionId }, limit: 1 });
        const profile = found.items[0] ?? await directory.createProfile(orgId, input);
        return { id: profile.id };
      });
      profileLock = run.catch(() => undefined);
      return run;
    }),

    addProfileMembers: (profileId, userIds) => translate('addProfileMembers', async () => {
      // grantProfileMembers never reads the member list back: the cost follows the chunk, not the profile's size.
      for (const chunk of chunks(userIds, limits.batchSize)) await directory.grantProfileMembers(orgId, profileId, chunk);
    }),

    removeProfileMembers: (profileId, userIds) => translate('removeProfileMembers', async () => {
      for (const chunk of chunks(userIds, limits.batchSize)) await directory.removeProfileMembers(orgId, profileId, chunk);
    }),

    unlinkUser: (externalId) => translate('unlinkUser', async () => {
      const linked = await findByExternalId(externalId);
      if (!linked) return false;
      // As SCIM DELETE: an account the org owns is deleted; a personal account belongs to its owner and only leaves.
      await removeOrgUser(directory, orgId, linked.id);
      return true;
    }),

    describe: () => ({ kind: 'embedded', createOnly: true, issuer, limits: { ...limits } }),
  };
  return { ...idp, ...createEmbeddedBatchMethods(directory, orgId, idp.createUser) };
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

