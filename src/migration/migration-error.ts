export type MigrationErrorCode =
  | 'migration_not_found'
  | 'migration_exists'
  | 'plan_stale'
  | 'plan_invalid'
  | 'prerequisite_missing'
  | 'transition_refused'
  | 'user_not_found'
  | 'schedule_invalid'
  | 'window_expired'
  | 'extensions_exhausted'
  | 'not_complete'
  | 'threshold_exceeded';

/** The one error class of the migration engine; callers switch on `code`. */
export class MigrationError extends Error {
  readonly code: MigrationErrorCode;
  constructor(code: MigrationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
    this.code = code;
  }
}
