/**
 * JSON responses and the one error serialiser of the Admin API: `{ error: { code, message } }` with a status from
 * the code (plus `errors` for a refused CSV import). Unknown failures become a bare 500; no cause or stack leaves.
 */
import type { ServerResponse } from 'node:http';
import { isImsError, type ImsErrorCode } from '../directory/ims-directory.ts';
import { isAdminError, type AdminErrorCode } from './admin-error.ts';

export function sendJson(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

const IMS_STATUS: Partial<Record<ImsErrorCode, number>> = {
  account_exists: 409,
  external_id_exists: 409,
  email_taken: 409,
  domain_claimed: 409,
  domain_unverified: 409,
  free_mail_domain: 400,
  not_found: 404,
  version_mismatch: 412,
  forbidden: 403,
  invalid_input: 400,
  email_refused: 400,
  email_unverified: 400,
  account_disabled: 400,
};

const ADMIN_STATUS: Record<AdminErrorCode, number> = {
  invalid_request: 400,
  read_only: 400,
  domain_not_claimed: 400,
  type_mismatch: 400,
  csv_invalid: 400,
  email_pending_verification: 409,
  already_member: 409,
  payload_too_large: 413,
  unauthenticated: 401,
  insufficient_scope: 403,
  not_found: 404,
  method_not_allowed: 405,
};

/** Writes the error; returns false when it was not a known error (the caller reports it as internal). */
export function sendAdminError(res: ServerResponse, error: unknown): boolean {
  if (isAdminError(error)) {
    const body: Record<string, unknown> = { error: { code: error.code, message: error.message } };
    if (error.code === 'csv_invalid') body.errors = error.problems;
    sendJson(res, ADMIN_STATUS[error.code], body);
    return true;
  }
  if (isImsError(error) && IMS_STATUS[error.code] !== undefined) {
    sendJson(res, IMS_STATUS[error.code]!, { error: { code: error.code, message: error.message } });
    return true;
  }
  sendJson(res, 500, { error: { code: 'internal_error', message: 'internal server error' } });
  return false;
}
