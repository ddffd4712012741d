import type { ImsAccount, ProductUser, Subscription } from '../model.ts';
import type { EmailPolicy, EmailProblem } from '../email/normalize-email.ts';

/**
 * What readiness reads of a product user (access and attributes play no part; names only name the admins in the
 * summary, and are kept for admins alone).
 */
export type ReadinessUser = Pick<ProductUser, 'id' | 'login' | 'email' | 'emailVerified' | 'status' | 'apiOnly' | 'sso' | 'expiresAt' | 'locked'>
  & Partial<Pick<ProductUser, 'firstName' | 'lastName'>>;

/**
 * What the rules read of an IMS account; the run keeps only this of each (a directory export carries names,
 * groups and a dozen other columns per account).
 */
export interface RuleAccount {
  id: string;
  type: ImsAccount['type'];
  emailVerified: boolean;
  status: ImsAccount['status'];
  /** An organization took the account in: it has a product configuration or an admin role. */
  provisioned: boolean;
}

/** The user's address as the rules see it: the matching key and its parts, or why it is refused. */
export type FactsEmail =
  | { ok: true; address: string; local: string; domain: string }
  | { ok: false; problem: EmailProblem };

/**
 * What the rules know about one product user: the normalised address and everything the run-wide look-ups say
 * about it (duplicates, look-alikes, IMS accounts, other subscriptions), resolved once per run (readiness-run.ts),
 * so that every rule is a field check.
 */
export interface UserFacts {
  user: ReadinessUser;
  subscription: Subscription;
  email: FactsEmail;
  /** The address as typed, trimmed and NFC (what the confusable checks look at). */
  display: string;
  admin: boolean;
  /** Other product users of the same subscription with the same normalised address. */
  duplicates: readonly string[];
  /** Other normalised addresses of this run whose skeleton equals this one's. */
  lookalikes: readonly string[];
  /** Other subscriptions of this run in which the same address is a user. */
  otherSubscriptions: readonly string[];
  /** IMS accounts holding the normalised address. */
  imsAccounts: readonly RuleAccount[];
}

/** Run-wide facts the rules consult besides the user's own. */
export interface RunIndex {
  policy: EmailPolicy;
  /** Domains whose accounts some IMS organization manages (enterprise/federated IDs, or declared claims). */
  managedDomains: Map<string, string>;
}

export const NONE: readonly never[] = Object.freeze([]);

