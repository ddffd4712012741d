/**
 * Removing and disabling an organization's users (SCIM `DELETE`/`active`, Admin API). An org owns its enterprise
 * and federated accounts and may delete or disable them; a personal account belongs to its person, so the org can
 * only end its membership.
 */
import { ImsError, type ImsDirectoryService, type ImsOrgAccount } from '../directory/ims-directory.ts';

/** Deletes an owned account, or removes a personal one from the org. `not_found` when not a member. */
export async function removeOrgUser(directory: ImsDirectoryService, orgId: string, accountId: string, expectedVersion?: number): Promise<void> {
  const account = await requireOrgUser(directory, orgId, accountId);
  if (expectedVersion !== undefined && account.version !== expectedVersion) {
    throw new ImsError('version_mismatch', `account ${accountId} is at version ${account.version}, not ${expectedVersion}`);
  }
  if (account.ownerOrgId === orgId) await directory.deleteAccount(accountId);
  else await directory.removeOrgMember(orgId, accountId);
}

/**
 * Sets `status` from a SCIM-style `active` flag. `forbidden` when the org does not own the account and the flag
 * would change it: disabling a person's own account everywhere is not an org's call.
 */
export async function setOrgUserActive(directory: ImsDirectoryService, orgId: string, account: ImsOrgAccount, active: boolean, expectedVersion?: number): Promise<ImsOrgAccount> {
  const status = active ? (account.status === 'disabled' ? 'active' : account.status) : account.status === 'active' ? 'disabled' : account.status;
  if (status === account.status) return account;
  if (account.ownerOrgId !== orgId) {
    throw new ImsError('forbidden', 'a personal account is enabled or disabled by its owner only; remove it from the organization instead');
  }
  return directory.updateOrgAccount(orgId, account.id, { status }, expectedVersion === undefined ? {} : { expectedVersion });
}

export async function requireOrgUser(directory: ImsDirectoryService, orgId: string, accountId: string): Promise<ImsOrgAccount> {
  const account = await directory.getOrgAccount(orgId, accountId);
  if (account === undefined) throw new ImsError('not_found', `user ${accountId} not found`);
  return account;
}
