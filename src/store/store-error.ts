/**
 * Stable codes of the Store port; callers switch on `code`, never on the message.
 * - `store_newer_than_code`: the database has a migration this version of Rehome does not know (downgrade).
 * - `store_unavailable`: the database cannot be opened or reached.
 * - `migration_failed`: a migration failed and was rolled back; the store was not opened.
 * - `snapshot_not_found`: a snapshot id given by the caller does not exist.
 * - `snapshot_invalid`: snapshot data broke a rule (missing id, duplicate user id...); nothing was stored.
 * - `invalid_input`: another argument was malformed (e.g. an `at` that is not an ISO-8601 instant).
 */
export type StoreErrorCode =
  | 'store_newer_than_code'
  | 'store_unavailable'
  | 'migration_failed'
  | 'snapshot_not_found'
  | 'snapshot_invalid'
  | 'invalid_input';

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
