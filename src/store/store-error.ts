/**
 * Stable codes of the Store port; callers switch on `code`, never on the message.
 * - `store_newer_than_code`: the database has a migration this version of Rehome does not know (downgrade).
 * - `store_unavailable`: the database cannot be opened or reached.
 * - `store_permissions`: the SQLite file or its directory is open to group or others; the message gives the chmod.
 * - `migration_failed`: a migration failed and was rolled back; the store was not opened.
 * - `snapshot_not_found`: a snapshot id given by the caller does not exist.
 * - `snapshot_invalid`: snapshot data broke a rule (missing id, duplicate user id...); nothing was stored.
 * - `invalid_input`: another argument was malformed (e.g. an `at` that is not an ISO-8601 instant).
 */
export type StoreErrorCode =
  | 'store_newer_than_code' // the database holds migrations this code does not know: run the newer Rehome
  | 'store_unavailable' // the database cannot be opened or reached
  | 'store_permissions' // the SQLite store file (or its -wal/-shm) or its directory is open to group or others: run the chmod the message names
  | 'migration_failed' // a schema migration failed and was rolled back (the message names it)
  | 'snapshot_not_found' // no snapshot with that id, or none for that subscription
  | 'snapshot_invalid' // the snapshot data cannot be stored; nothing was written
  | 'invalid_input'; // another argument was malformed (e.g. an instant that is not ISO-8601)

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
