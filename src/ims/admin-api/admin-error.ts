/**
 * Errors of the Admin API, the SCIM service and the token endpoint that are not directory errors (those are
 * `ImsError`). Callers switch on `code`; each HTTP face maps codes to its own wire format (JSON, SCIM, OAuth).
 */
export type AdminErrorCode =
  /** The request body or a parameter is malformed (bad JSON, wrong type, missing field). */
  | 'invalid_request'
  /** The address is only claimed by accounts that never proved it; linking would let a squatter capture it. */
  | 'email_pending_verification'
  /** The org is already provisioned with this account (a second create would duplicate it). */
  | 'already_member'
  /** Enterprise or federated accounts need an email in a domain the org has claimed. */
  | 'domain_not_claimed'
  /** The requested account type is not the one the org's domain claims give the address. */
  | 'type_mismatch'
  /** A client tried to set a read-only attribute (`emailVerified`, `type`, `id`). */
  | 'read_only'
  /** The body is larger than the endpoint accepts. */
  | 'payload_too_large'
  /** No usable bearer token. */
  | 'unauthenticated'
  /** The token lacks the scope this endpoint needs. */
  | 'insufficient_scope'
  | 'not_found'
  | 'method_not_allowed'
  /** A CSV import refused as a whole; `problems` lists each bad cell. */
  | 'csv_invalid';

export interface CsvProblem {
  line: number;
  column: number;
  field: string;
  message: string;
}

export class AdminError extends Error {
  readonly code: AdminErrorCode;
  readonly problems: readonly CsvProblem[];
  constructor(code: AdminErrorCode, message: string, options: { cause?: unknown; problems?: readonly CsvProblem[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AdminError';
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

export function isAdminError(error: unknown, code?: AdminErrorCode): error is AdminError {
  return error instanceof AdminError && (code === undefined || error.code === code);
}
