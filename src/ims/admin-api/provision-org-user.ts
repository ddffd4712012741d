/**
 * Adding a user to an organization, shared by SCIM `POST /Users`, the Admin API and the CSV import. One rule per
 * function, applied in order. The rules (docs/scim.md, "Linking rules"):
 * - An email in a domain the org claimed makes an account the org owns: `federated` when the org federates that
 *   domain to an upstream IdP, `enterprise` otherwise.
 * - Any other email is a `personal` account, which only its owner edits. When an account already *verified* the
 *   address, the org links to it (adds a membership) instead of creating a second one.
 * - Never link on an unverified address (account pre-hijacking), and an unverified sign-up reserves nothing
 *   (squatting): a sign-up that never proved the address and belongs to no organization is cancelled (its owner is
 *   mailed) and the org's account is created.
 * - A personal account beside the org's managed ID coexists: the managed ID is created next to it (its userName,
 *   when not given, then names the org so both can exist).
 * - `linkExisting: false` (a migration carrying out its plan) never links: create, or `email_taken`.
 * - Nothing here marks an email verified.
 */
import { ImsError, type AccountType, type ImsDirectoryService, type ImsOrgAccount, type ImsOrgRecord } from '../directory/ims-directory.ts';
import { AdminError } from './admin-error.ts';
import { normalizeEmail } from '../../core/email/normalize-email.ts';

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
  /**
   * Default true. False never links an existing account (a migration carrying out its plan): the account is
   * created, or the call fails (`email_taken`) when an account the rules would have linked holds the address.
   */
  linkExisting?: boolean;
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
  await directory.cancelPendingSignUps([{ email: input.email, userName: input.userName ?? directory.address(input.email).delivery }]);
  return type === 'personal'
    ? provisionPersonal(directory, orgId, input)
    : provisionOwned(directory, orgId, input, type);
}

/**
 * The userName of a managed ID beside a personal account with the same address: userNames are unique over the IMS
 * and the personal account usually holds the address as its own, so the org's account names the org.
 */
export function managedUserName(delivery: string, orgId: string): string {
  return `${delivery}#${orgId}`;
}

async function rejectDuplicateExternalId(directory: ImsDirectoryService, orgId: string, externalId: string | null | undefined): Promise<void> {
  if (externalId === null || externalId === undefined) return;
  if (await directory.findOrgAccountByExternalId(orgId, externalId)) {
    throw new ImsError('external_id_exists', `externalId ${externalId} is already used in this organization`);
  }
}

/** Domain of an address in A-labels by the one address rule; '' when the address is refused (the directory says why). */
export function emailDomain(email: string): string {
  const e = normalizeEmail(email);
  return e.ok ? e.domain : '';
}

export function chooseAccountType(org: ImsOrgRecord, email: string, requested: AccountType | undefined): AccountType {
  const domain = emailDomain(email);
  const claimed = org.domains.some((d) => d.domain === domain);
  const derived: AccountType = !claimed ? 'personal' : org.sso?.domains.includes(domain) ? 'federated' : 'enterprise';
  // `enterprise` asks for the org's managed ID; where the org federates the domain that is the federated account.
  if (requested === undefined || requested === derived || (requested === 'enterprise' && derived === 'federated')) return derived;
  if (!claimed) {
    throw new AdminError('domain_not_claimed', `a ${requested} account needs an email in a domain the organization claimed; ${domain} is not claimed`);
  }
  throw new AdminError('type_mismatch', `the organization claimed ${domain}: its users are ${derived} accounts, not ${requested}`);
}

async function provisionOwned(directory: ImsDirectoryService, orgId: string, input: ProvisionUserInput, type: AccountType): Promise<ProvisionResult> {
  const holders = await directory.findAccountsByEmail(input.email);
  const existing = holders.find((a) => a.type === type && a.ownerOrgId === orgId);
  if (existing !== undefined) {
    if (input.linkExisting === false) throw new ImsError('email_taken', `the organization already has a ${type} account with this email`);
    return linkExisting(directory, orgId, existing.id, input.externalId);
  }
  const delivery = directory.address(input.email).delivery;
  const beside = holders.some((a) => a.type === 'personal');
  const account = await directory.createAccount({
    email: input.email,
    type,
    orgId,
    externalId: input.externalId ?? null,
    userName: input.userName ?? (beside ? managedUserName(delivery, orgId) : delivery),
    firstName: input.firstName ?? '',
    lastName: input.lastName ?? '',
    status: input.active === false ? 'disabled' : 'active',
  });
  return { account: (await directory.getOrgAccount(orgId, account.id))!, outcome: 'created' };
}

async function provisionPersonal(directory: ImsDirectoryService, orgId: string, input: ProvisionUserInput): Promise<ProvisionResult> {
  const verified = await directory.findVerifiedAccount(input.email, 'personal');
  if (verified !== undefined) {
    if (input.linkExisting === false) throw new ImsError('email_taken', 'a verified personal account holds this email; the plan did not name it');
    return linkExisting(directory, orgId, verified.id, input.externalId);
  }
  const userName = input.userName ?? directory.address(input.email).delivery;
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
