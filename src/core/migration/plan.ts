import type { ReasonCode } from '../readiness/report.ts';
import type { SubscriptionState, UserState } from './states.ts';

/** How people get a password on the IMS side, chosen per subscription (docs/identity-providers.md). */
export type PasswordStrategy = 'invite' | 'import_hashes' | 'lazy';

/**
 * What the user phase does for one product user.
 * - `link`: an existing verified IMS account has the same verified address: add it to the product profile.
 * - `create`: create the IMS account (its password comes from imported hashes or lazily from the product).
 * - `invite`: create the account and mail an invitation to set a password.
 * - `wait_for_verification`: becomes `create`/`invite`/`link` once the person verifies their address.
 * - `hold`: blocked; an admin fixes the reasons or skips the user.
 * - `stay_local`: API-only, keeps product credentials.
 * - `skip`: deactivated or locked in the product; nothing moves.
 */
export type UserAction = 'link' | 'create' | 'invite' | 'wait_for_verification' | 'hold' | 'stay_local' | 'skip';

export interface PlannedUser {
  userId: string;
  email: string;
  /** Normalised address the IMS account is found or created with (null when invalid). */
  normalizedEmail: string | null;
  firstName: string;
  lastName: string;
  admin: boolean;
  action: UserAction;
  /** For `link`: the IMS account (subject) to link. */
  imsAccountId: string | null;
  /** Account type to create: enterprise in a claimed domain, else personal. */
  accountType: 'personal' | 'enterprise';
  /** Initial state of the per-user state machine. */
  initialState: UserState;
  /** Product-profile grants after the move; admins also administer the profile. */
  grants: { profile: string; role: 'user' | 'admin' }[];
  reasons: ReasonCode[];
}

export type ProductStep =
  | { step: 'ensure_org'; orgId: string; name: string; claimedDomains: string[]; consentRequired: boolean }
  | { step: 'ensure_product_profile'; profile: string; name: string; subscriptionId: string }
  | { step: 'check_sso'; required: boolean; configured: boolean };

/** A migration plan: pure data, JSON-serialisable; `rehome migrate --plan` applies exactly this. */
export interface MigrationPlan {
  version: 1;
  subscriptionId: string;
  subscriptionName: string;
  timeZone: string;
  snapshotId: string;
  /** Digest of the snapshot the plan was made from; apply refuses a plan whose snapshot is no longer current. */
  snapshotDigest: string;
  mode: 'automatic' | 'self_service';
  passwordStrategy: PasswordStrategy;
  phases: ['product', 'users', 'support'];
  product: ProductStep[];
  /** Admins first, then everyone else, each group by product user id. */
  users: PlannedUser[];
  counts: Record<UserAction, number> & { total: number };
  /** Problems that stop phase 1 (e.g. SSO needed but not configured). Users-phase blockers live per user. */
  prerequisites: { code: 'sso_not_configured' | 'consent_required' | 'no_ready_admin'; message: string; blocking: boolean }[];
}

export interface MigrationStatusCounts {
  subscriptionState: SubscriptionState;
  byState: Partial<Record<UserState, number>>;
}
