import type { SubscriptionState, UserState } from '../migration/states.ts';
import type { ReadinessStatus } from '../readiness/report.ts';
import type { Words } from './words.ts';

/** A user's migration state (states.ts) as the console, the reports and docs/console.md name it. */
export const USER_STATE_WORDS: Readonly<Record<UserState, Words>> = Object.freeze({
  needs_email_verification: { label: 'Email not verified', sentence: 'Has not verified their email address yet; can be migrated once they do.' },
  eligible: { label: 'Ready to migrate', sentence: 'Verified and eligible; not migrated yet.' },
  migrating: { label: 'Migrating', sentence: 'Being moved to the IMS right now.' },
  migrated: { label: 'Migrated', sentence: 'Has an IMS account with the product; has not signed in through the IMS yet.' },
  activated: { label: 'Activated', sentence: 'Migrated, and has signed in through the IMS.' },
  skipped: { label: 'Skipped', sentence: 'An admin chose not to migrate this user; they lose access once the migration is confirmed.' },
  blocked: { label: 'Blocked', sentence: 'Something only a person can resolve stands in the way; the reasons say what and how.' },
  failed: { label: 'Failed', sentence: 'The last attempt failed; fix the cause, then retry (or skip the user).' },
  stays_local: { label: 'Stays local (API-only)', sentence: 'An API-only user: not moved; keeps its product credentials.' },
  not_migrated: { label: 'Not migrated (deactivated)', sentence: 'Deactivated or locked in the product: not moved, no IMS access.' },
});

/**
 * A subscription migration's state. The sentence says where the migration stands and what comes next, and reads
 * on its own after the label ("Window expired. The self-service window has ended: ...").
 */
export const SUBSCRIPTION_STATE_WORDS: Readonly<Record<SubscriptionState, Words>> = Object.freeze({
  not_started: { label: 'Not started', sentence: 'Nothing has happened yet: link the product to the IMS to begin.' },
  product_linked: { label: 'Product linked', sentence: 'The product is linked to the IMS organization; the user-migration date is not set yet.' },
  users_scheduled: { label: 'User migration scheduled', sentence: 'The user-migration date is set; users move from that day on, admins first.' },
  users_in_progress: { label: 'User migration in progress', sentence: 'Users are being migrated; some are not yet migrated or skipped.' },
  awaiting_confirmation: { label: 'Awaiting confirmation', sentence: 'Every user is migrated or skipped; an admin completes the migration to end it.' },
  confirmed: { label: 'Confirmed', sentence: 'The migration is complete: everyone signs in with the IMS; support tickets move next.' },
  support_migrated: { label: 'Support tickets moved', sentence: 'The support tickets have moved too; only the last clean-up remains.' },
  done: { label: 'Done', sentence: 'The migration is finished.' },
  expired: { label: 'Window expired', sentence: 'The self-service window has ended: scheduled migrations no longer run; migrate users on demand or extend the window.' },
  rolled_back: { label: 'Rolled back', sentence: 'The migration was rolled back before confirmation; link the product again to start over.' },
});

/** A subscription with no migration row yet. */
export const NOT_PLANNED: Words = Object.freeze({ label: 'Not planned yet', sentence: 'The migration is not planned yet: check readiness, then link the product.' });

/** A user's readiness status (docs/readiness.md): what the report says before anything moves. */
export const READINESS_STATUS_WORDS: Readonly<Record<ReadinessStatus, Words>> = Object.freeze({
  eligible: { label: 'Eligible', sentence: 'Can migrate now: a verified address that matches at most one verified, active IMS account (linked) or none (created).' },
  needs_email_verification: { label: 'Needs email verification', sentence: 'Can migrate once the person verifies their address (unverified email, or an invitation never accepted).' },
  stays_local: { label: 'Stays local (API-only)', sentence: 'API-only user: not moved; keeps its product credentials.' },
  not_migrated: { label: 'Not migrated', sentence: 'Deactivated or locked in the product: not moved, no IMS access.' },
  blocked: { label: 'Blocked', sentence: 'Something only a person can resolve stands in the way; the reasons say what and how.' },
});
