/**
 * The readiness report: a stable, documented JSON interface (docs/readiness.md). Everything here is plain data so
 * it can be stored, diffed and rendered as table, CSV or HTML.
 */

export type ReadinessStatus = 'eligible' | 'needs_email_verification' | 'stays_local' | 'not_migrated' | 'blocked';

export const READINESS_STATUSES: readonly ReadinessStatus[] = [
  'eligible',
  'needs_email_verification',
  'stays_local',
  'not_migrated',
  'blocked',
];

export type ReasonCode =
  | 'invalid_email'
  | 'duplicate_email'
  | 'ambiguous_ims_match'
  | 'ims_email_unverified'
  | 'confusable_email'
  | 'sso_not_configured'
  | 'domain_claimed_elsewhere'
  | 'invite_not_accepted'
  | 'ims_account_disabled'
  | 'identity_type_conflict'
  | 'ims_signup_pending'
  | 'email_unverified'
  | 'api_only'
  | 'deactivated'
  | 'locked'
  | 'login_differs_from_email'
  | 'access_expires'
  | 'plus_or_dot_address'
  | 'admin_not_ready'
  | 'in_several_subscriptions';

export type Severity = 'block' | 'warn' | 'info';

export interface Reason {
  code: ReasonCode;
  severity: Severity;
  message: string;
  fix: string;
}

/** What Rehome would do with this user's IMS account, once eligible. */
export type ImsMatch =
  | { kind: 'existing'; accountId: string; type: string }
  | { kind: 'new' }
  | { kind: 'none' };

export interface UserReadiness {
  id: string;
  subscriptionId: string;
  email: string;
  /** The normalised address Rehome matches on, or null when the address is invalid. */
  normalizedEmail: string | null;
  status: ReadinessStatus;
  admin: boolean;
  reasons: Reason[];
  match: ImsMatch;
  /** Other subscriptions of this run in which the same person (same normalised email) is a user. */
  otherSubscriptions: string[];
}

export interface ReadinessSummary {
  total: number;
  byStatus: Record<ReadinessStatus, number>;
  /** Count of users carrying each reason code (a user with two codes counts under both). */
  byReason: Partial<Record<ReasonCode, number>>;
  admins: number;
  /** True when every admin of every subscription is `eligible`: admins migrate first. */
  adminsReady: boolean;
  adminsNotReady: string[];
  /**
   * Admins' names by product user id, in input order, so that reports name them ("Ann Smith (1003)"); admins whose
   * export has no name are left out. Added in a later release: absent from reports stored before it.
   */
  adminNames?: Record<string, string>;
  /** Users (excluding API-only and deactivated) whose email is verified, over all who must verify. */
  emailVerification: { verified: number; required: number };
  subscriptions: { id: string; name: string; users: number; blocked: number; adminsReady: boolean }[];
  warnings: number;
}

export interface ReadinessReport {
  /** Schema version of this JSON interface; bumped on breaking change. */
  version: 1;
  summary: ReadinessSummary;
  /** Admins first, then by subscription and product user id. */
  users: UserReadiness[];
}
