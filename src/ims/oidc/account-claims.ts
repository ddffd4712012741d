import type { Account, FindAccount } from 'oidc-provider';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';

/** Claims per scope (OIDC Core section 5.4); `ims_org` is the IMS's own scope and claim. */
export const imsClaims = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
  ims_org: ['ims_org'],
};

/** One entry of the `ims_org` claim: an organization the account belongs to and its product profiles there. */
export interface ImsOrgClaim {
  id: string;
  profiles: string[];
}

/**
 * oidc-provider's `findAccount`: only active accounts exist for the provider, so a disabled, locked or deleted
 * account can neither use a session nor refresh a token nor read userinfo.
 */
export function createFindAccount(directory: ImsDirectoryService): FindAccount {
  return async (_ctx, sub): Promise<Account | undefined> => {
    const account = await directory.getAccount(sub);
    if (!account || account.status !== 'active') return undefined;
    return {
      accountId: account.id,
      async claims() {
        const memberships = await directory.listMemberships(account.id);
        const name = [account.firstName, account.lastName].filter((p) => p !== '').join(' ');
        return {
          sub: account.id,
          email: account.email,
          // Always a boolean: relying parties must never read a missing claim as verified.
          email_verified: account.emailVerified,
          ...(name ? { name } : {}),
          ...(account.firstName ? { given_name: account.firstName } : {}),
          ...(account.lastName ? { family_name: account.lastName } : {}),
          ims_org: memberships.map((m): ImsOrgClaim => ({ id: m.orgId, profiles: m.profileIds })),
        };
      },
    };
  };
}
