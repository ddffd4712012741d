/**
 * Adding a user to an organization, shared by SCIM `POST /Users`, the Admin API and the CSV import. One rule per
 * function, applied in order. The rules (docs/scim.md, "Linking rules"):
 * - An email in a domain the org claimed makes an account the org owns: `federated` when the org federates that
 *   domain to an upstream IdP, `enterprise` otherwise.
 * - Any other email is a `personal` account, which only its owner edits. When an account already *verified* the
 *   address, the org links to it (adds a membership) instead of creating a second one.
 * - Never link on an unverified address (account pre-hijacking): a sign-up that never proved the address is left
 *   alone and a new, unverified account joins the org; whoever proves control first wins (`verifyEmail`).
 * - Nothing here marks an email verified.
 */
import { ImsError, type AccountType, type ImsDirectoryService, type ImsOrgAccount, type ImsOrgRecord } from '../directory/ims-directory.ts';
import { AdminError } from './admin-error.ts';

export interface ProvisionUserInput {
  email: string;
  /** Default: the email. */
  userName?: string;
  firstName?: string;
  lastName?: string;
  /** The provisioning client's id for the user (SCIM `externalId`); unique per org. */
  externalId?: string | null;
  /** When given, must agree with the type the domain rules give (`invalid_request`/`domain_not_claimed` else). */
  type?: AccountType;
  /** False creates the account disabled (ignored when linking an account the org does not own). */
  active?: boolean;
}

export interface ProvisionResult {
  account: ImsOrgAccount;
  /** `created`: a new account; `linked`: an existing account joined the org. */
  outcome: 'created' | 'linked';
}

export async function provisionOrgUser(directory: ImsDirectoryService, orgId: string, input: ProvisionUserInput): Promise<ProvisionResult> {
  const org = await directory.getOrg(orgId);
  if (org === undefined) throw new ImsError('not_found', `organization ${orgId} not found`);
  await rejectDuplicateExternalId(directory, orgId, input.externalId);
  const type = chooseAccountType(org, input.email, input.type);
  return type === 'personal'
    ? provisionPersonal(directory, orgId, input)
    : provisionOwned(directory, orgId, input, type);
}

async function rejectDuplicateExternalId(directory: ImsDirectoryService, orgId: string, externalId: string | null | undefined): Promise<void> {
  if (externalId === null || externalId === undefined) return;
  if (await directory.findOrgAccountByExternalId(orgId, externalId)) {
    throw new ImsError('external_id_exists', `externalId ${externalId} is already used in this organization`);
  }
}

/** Lower-case domain of an address (the directory validates the address itself). */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).trim().toLowerCase().replace(/\.$/, '');
}

export function chooseAccountType(org: ImsOrgRecord, email: string, requested: AccountType | undefined): AccountType {
  const domain = emailDomain(email);
  const claimed = org.domains.some((d) => d.domain === domain);
  const derived: AccountType = !claimed ? 'personal' : org.sso?.domains.includes(domain) ? 'federated' : 'enterprise';
  if (requested === undefined || requested === derived) return derived;
  if (!claimed) {
    throw new AdminError('domain_not_claimed', `a ${requested} account needs an email in a domain the organization claimed; ${domain} is not claimed`);
  }
  throw new AdminError('invalid_request', `the organization claimed ${domain}: its users are ${derived} accounts, not ${requested}`);
}

async function provisionOwned(directory: ImsDirectoryService, orgId: string, input: ProvisionUserInput, type: AccountType): Promise<ProvisionResult> {
  const existing = (await directory.findAccountsByEmail(input.email)).find((a) => a.type === type && a.ownerOrgId === orgId);
  if (existing !== undefined) return linkExisting(directory, orgId, existing.id, input.externalId);
  const account = await directory.createAccount({
    email: input.email,
    type,
    orgId,
    externalId: input.externalId ?? null,
    userName: input.userName ?? input.email,
    firstName: input.firstName ?? '',
    lastName: input.lastName ?? '',
    status: input.active === false ? 'disabled' : 'active',
  });
  return { account: (await directory.getOrgAccount(orgId, account.id))!, outcome: 'created' };
}

async function provisionPersonal(directory: ImsDirectoryService, orgId: string, input: ProvisionUserInput): Promise<ProvisionResult> {
  const verified = await directory.findVerifiedAccount(input.email, 'personal');
  if (verified !== undefined) return linkExisting(directory, orgId, verified.id, input.externalId);
  const userName = input.userName ?? input.email;
  await rejectUserNameOfPendingClaim(directory, userName, input.email);
  const account = await directory.createAccount({
    email: input.email,
    type: 'personal',
    orgId,
    externalId: input.externalId ?? null,
    userName,
    firstName: input.firstName ?? '',
    lastName: input.lastName ?? '',
    status: input.active === false ? 'disabled' : 'active',
  });
  return { account: (await directory.getOrgAccount(orgId, account.id))!, outcome: 'created' };
}

/** One account, one membership: provisioning the same person twice is a conflict, not a second link. */
async function linkExisting(directory: ImsDirectoryService, orgId: string, accountId: string, externalId: string | null | undefined): Promise<ProvisionResult> {
  if (await directory.getOrgAccount(orgId, accountId)) {
    throw new AdminError('already_member', 'an account with this email is already a member of the organization');
  }
  const account = await directory.addOrgMember(orgId, accountId, { externalId: externalId ?? null });
  return { account, outcome: 'linked' };
}

/**
 * userNames are unique over the whole IMS, so an unverified sign-up that took `userName` (its own address, by
 * default) holds it until its owner proves the address. We neither link to it nor take its name: refuse, saying why.
 */
async function rejectUserNameOfPendingClaim(directory: ImsDirectoryService, userName: string, email: string): Promise<void> {
  const holder = await directory.findAccountByUserName(userName);
  if (holder === undefined) return;
  const sameAddress = (await directory.findAccountsByEmail(email)).some((a) => a.id === holder.id);
  if (!holder.emailVerified && sameAddress) {
    throw new AdminError('email_pending_verification',
      `userName ${userName} is held by a sign-up whose email is pending verification; it is never linked on an unverified address. ` +
      'Retry with another userName, or once the owner has verified the address (the account is then linked).');
  }
  throw new ImsError('account_exists', `userName ${userName} is taken`);
}
