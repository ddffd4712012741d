import type { IdpUserType, NewIdpUser } from '../ports/identity-provider.ts';
import { PLAN_DRIFT_FIX, type PlannedAccount } from '../core/migration/enforce-plan.ts';
import { normalizeEmail } from '../core/email/normalize-email.ts';
import { MigrationError } from './migration-error.ts';
import type { UserMigration } from './migration-repo.ts';

/** What the plan stored for the user (mig_users: action, planned_account_id, account_type). */
export function plannedAccount(u: UserMigration): PlannedAccount {
  return {
    action: u.action === 'link' ? 'link' : u.action === 'invite' ? 'invite' : 'create',
    accountId: u.planned_account_id,
    accountType: u.account_type === 'enterprise' ? 'enterprise' : 'personal',
  };
}

/** The IdP types of a planned kind: the org's managed IDs are enterprise or federated. */
export function typesOf(plan: Pick<PlannedAccount, 'accountType'>): IdpUserType[] {
  return plan.accountType === 'personal' ? ['personal'] : ['enterprise', 'federated'];
}

/** The new account's fields: the delivery form of the address, the planned type, and never a link to another. */
export function newAccountOf(u: UserMigration, plan: PlannedAccount): Omit<NewIdpUser, 'externalId'> {
  const e = normalizeEmail(u.email);
  return { email: e.ok ? e.delivery : u.email, firstName: u.first_name, lastName: u.last_name, type: plan.accountType, linkExisting: false };
}

/** The drift of a planned create: an account the plan did not know holds the address now. */
export const APPEARED = 'a verified account with this address appeared since the plan (an account made after the snapshot is never linked without a new readiness run)';

/** The drift when the look-up finds several verified accounts of the planned kind for the address. */
export const SEVERAL = 'several verified accounts of the planned kind hold this address since the plan';

/** The drift of a planned link the IdP carried out by its own rules: it answered with another account. */
export const NOT_THE_NAMED = 'the IdP provisioned another account than the one the plan named';

export function driftError(what: string): MigrationError {
  return new MigrationError('plan_drift', `${what}. ${PLAN_DRIFT_FIX}`);
}
