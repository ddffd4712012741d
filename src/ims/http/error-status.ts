import type { ImsErrorCode } from '../directory/ims-directory.ts';

/** HTTP status for an IMS error shown on a page. */
export function statusOf(code: ImsErrorCode): number {
  switch (code) {
    case 'invalid_credentials':
      return 401;
    case 'throttled':
      return 429;
    case 'account_disabled':
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'email_taken':
    case 'account_exists':
    case 'external_id_exists':
    case 'domain_claimed':
    case 'version_mismatch':
      return 409;
    default:
      return 400;
  }
}
