export type MigrationErrorCode =
  | 'migration_not_found' // no migration registered for the subscription: `rehome plan` then `rehome migrate --plan`
  | 'migration_exists' // a migration is already registered for the subscription
  | 'plan_stale' // the plan was made from an older snapshot, or users already migrate under another plan: plan again
  | 'plan_invalid' // the file is not a complete Rehome plan
  | 'prerequisite_missing' // SSO not configured, or consent to an existing organization not recorded (`--consent`)
  | 'transition_refused' // the state machine has no such step from the current state (the message names both)
  | 'user_not_found' // no such user in this migration
  | 'schedule_invalid' // the date is not 8–30 days ahead in the subscription's time zone, or the date is locked
  | 'window_expired' // the self-service window ended: scheduled migrations no longer run; migrate on demand or extend
  | 'extensions_exhausted' // the window was already extended the maximum number of times
  | 'not_complete' // confirmation needs every non-API user migrated or skipped
  | 'threshold_exceeded' // a rollback or removal touches more than 200 users or 10%: repeat with `--force`
  | 'admins_first' // the subscription's admins must be migrated (or skipped, confirmed twice) before anyone else
  | 'plan_drift'; // the IMS changed since the plan (its account vanished, another appeared, the type changed): run readiness and plan again

/** The one error class of the migration engine; callers switch on `code`. */
export class MigrationError extends Error {
  readonly code: MigrationErrorCode;
  constructor(code: MigrationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
    this.code = code;
  }
}
