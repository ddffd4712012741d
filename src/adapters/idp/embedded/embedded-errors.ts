import { AdminError, type AdminErrorCode } from '../../../ims/admin-api/admin-error.ts';
import { isImsError, type ImsErrorCode } from '../../../ims/directory/ims-directory.ts';
import { IdpError, type IdpErrorCode } from '../../../ports/identity-provider.ts';

const codeMap: Record<ImsErrorCode, IdpErrorCode> = {
  account_exists: 'conflict',
  email_taken: 'conflict',
  external_id_exists: 'conflict',
  domain_claimed: 'conflict',
  domain_unverified: 'conflict',
  free_mail_domain: 'invalid_request',
  version_mismatch: 'conflict',
  not_found: 'not_found',
  email_unverified: 'email_unverified',
  invalid_input: 'invalid_request',
  email_refused: 'invalid_request',
  forbidden: 'forbidden',
  account_disabled: 'forbidden',
  invalid_credentials: 'unauthorized',
  token_invalid: 'unauthorized',
  throttled: 'throttled',
};

const adminCodeMap: Record<AdminErrorCode, IdpErrorCode> = {
  invalid_request: 'invalid_request',
  email_pending_verification: 'conflict',
  already_member: 'conflict',
  domain_not_claimed: 'type_mismatch',
  type_mismatch: 'type_mismatch',
  read_only: 'invalid_request',
  payload_too_large: 'invalid_request',
  unauthenticated: 'unauthorized',
  insufficient_scope: 'forbidden',
  not_found: 'not_found',
  method_not_allowed: 'invalid_request',
  csv_invalid: 'invalid_request',
};

/** Maps the directory's ImsError (or the Admin API's rules' AdminError) onto the port's IdpError, naming the operation. */
export function toIdpError(operation: string, error: unknown): IdpError {
  if (error instanceof IdpError) return error;
  if (isImsError(error)) return new IdpError(codeMap[error.code], `${operation}: ${error.message}`, { cause: error });
  if (error instanceof AdminError) return new IdpError(adminCodeMap[error.code], `${operation}: ${error.message}`, { cause: error });
  return new IdpError('unavailable', `${operation}: ${(error as Error).message}`, { cause: error });
}

/** Runs one port call, translating whatever it throws; anything not from the IMS is `unavailable`. */
export async function translate<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toIdpError(operation, error);
  }
}
