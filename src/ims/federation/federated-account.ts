import { isImsError, type ImsAccountRecord, type ImsDirectoryService, type ImsOrgRecord } from '../directory/ims-directory.ts';
import type { ImsDb } from '../ims-tables.ts';
import { FederationError } from './federation-error.ts';

/** An upstream person whose email the upstream verified and whose domain the org federates. */
export interface VerifiedUpstreamPerson {
  issuer: string;
  subject: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface FederatedAccountDeps {
  directory: ImsDirectoryService;
  db: ImsDb;
  /**
   * Marks the address verified on the account and voids every unverified claim on it (squatting sign-ups,
   * pending email changes) and their sessions: the account service's `claimVerifiedAddress`.
   */
  claimVerifiedAddress: (accountId: string, email: string) => Promise<ImsAccountRecord>;
}

/**
 * The org-owned `federated` account an upstream person signs in as. After the first sign-in the key is
 * (issuer, subject), never the email (DESIGN.md). Before it, the person gets the org's own federated account for
 * that address (one the org provisioned, or a new one); personal accounts, verified or not, are never merged,
 * and any unverified personal claim on the address is voided together with its sessions.
 */
export async function resolveFederatedAccount(deps: FederatedAccountDeps, org: ImsOrgRecord, person: VerifiedUpstreamPerson): Promise<ImsAccountRecord> {
  const { directory } = deps;
  const linked = await directory.findAccountByFederatedIdentity(person.issuer, person.subject);
  const account = linked ? rejectForeignAccount(linked, org) : await linkOrgAccount(deps, org, person);
  rejectDisabled(account);
  // Same address in another letter case: keep the display form the account has.
  const email = account.emailNormalized === directory.address(person.email).key ? account.email : person.email;
  let claimed: ImsAccountRecord;
  try {
    claimed = await deps.claimVerifiedAddress(account.id, email);
  } catch (error) {
    // Another federated account already holds this verified address (e.g. it was reassigned upstream).
    if (isImsError(error, 'email_taken')) throw conflict(error);
    throw error;
  }
  return restoreUserName(directory, claimed);
}

/** A squatter held the address as userName when the account was created; with the squatter gone, take it back. */
async function restoreUserName(directory: ImsDirectoryService, account: ImsAccountRecord): Promise<ImsAccountRecord> {
  if (account.userName !== account.id || (await directory.findAccountByUserName(account.email))) return account;
  return directory.updateAccount(account.id, { userName: account.email });
}

function rejectForeignAccount(account: ImsAccountRecord, org: ImsOrgRecord): ImsAccountRecord {
  if (account.type !== 'federated' || account.ownerOrgId !== org.id) throw conflict();
  return account;
}

function rejectDisabled(account: ImsAccountRecord): void {
  if (account.status !== 'active') {
    throw new FederationError('sso_account_disabled', 'Your account is disabled. Contact your administrator.');
  }
}

/** First sign-in of this upstream identity: the org's federated account for the email, else a new one. */
async function linkOrgAccount(deps: FederatedAccountDeps, org: ImsOrgRecord, person: VerifiedUpstreamPerson): Promise<ImsAccountRecord> {
  const { directory } = deps;
  const orgAccounts = (await directory.findAccountsByEmail(person.email))
    .filter((a) => a.type === 'federated' && a.ownerOrgId === org.id);
  let account: ImsAccountRecord | undefined;
  for (const candidate of orgAccounts) {
    if (!(await hasOtherSubject(deps.db, candidate.id, person))) {
      account = candidate;
      break;
    }
  }
  // An org account already bound to another upstream person is never handed to a new one (address reuse).
  if (!account && orgAccounts.length > 0) throw conflict();
  const created = account ? undefined : await createFederatedAccount(directory, org, person);
  account ??= created!;
  try {
    await directory.linkFederatedIdentity(account.id, person.issuer, person.subject);
  } catch (error) {
    if (!isImsError(error, 'account_exists')) throw error;
    // A concurrent first sign-in of the same person won the link: use its account, drop ours.
    if (created) await directory.deleteAccount(created.id);
    const winner = await directory.findAccountByFederatedIdentity(person.issuer, person.subject);
    if (!winner) throw error;
    return rejectForeignAccount(winner, org);
  }
  return account;
}

async function createFederatedAccount(directory: ImsDirectoryService, org: ImsOrgRecord, person: VerifiedUpstreamPerson): Promise<ImsAccountRecord> {
  const id = crypto.randomUUID();
  const userNameFree = !(await directory.findAccountByUserName(person.email));
  // Created unverified: `claimVerifiedAddress` then verifies it and voids the squatters in one step.
  return directory.createAccount({
    id,
    email: person.email,
    type: 'federated',
    orgId: org.id,
    firstName: person.firstName,
    lastName: person.lastName,
    userName: userNameFree ? person.email.trim() : id,
    passwordHash: null,
  });
}

async function hasOtherSubject(db: ImsDb, accountId: string, person: VerifiedUpstreamPerson): Promise<boolean> {
  const row = await db.selectFrom('ims_federated_identities').select('subject')
    .where('account_id', '=', accountId).where('issuer', '=', person.issuer).where('subject', '<>', person.subject)
    .executeTakeFirst();
  return row !== undefined;
}

function conflict(cause?: unknown): FederationError {
  return new FederationError(
    'sso_account_conflict',
    'Your organization’s account for this address belongs to someone else. Ask your administrator to sort it out.',
    cause === undefined ? undefined : { cause },
  );
}
