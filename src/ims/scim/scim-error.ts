/**
 * SCIM errors (RFC 7644 §3.12): an HTTP status, an optional `scimType` (Table 9: only defined for some 400s, 409
 * and 403 `sensitive`) and a `detail` safe to show. The one serialiser (`scimErrorBody`) never carries a cause or
 * stack; unknown failures become a bare 500.
 */
import { isImsError } from '../directory/ims-directory.ts';
import { isAdminError } from '../admin-api/admin-error.ts';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimType =
  | 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget'
  | 'invalidValue' | 'invalidVers' | 'sensitive';

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  /** Response headers the error needs (`Allow` with a 405, `WWW-Authenticate` with a 401/403). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, scimType: ScimType | undefined, detail: string, options?: { cause?: unknown; headers?: Record<string, string> }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.headers = options?.headers ?? {};
  }
}

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** Maps any thrown value to a SCIM error; `internal` is true when it was not one of ours (log it, show nothing). */
export function toScimError(error: unknown): { error: ScimError; internal: boolean } {
  if (error instanceof ScimError) return { error, internal: false };
  if (isImsError(error)) {
    switch (error.code) {
      case 'account_exists':
      case 'external_id_exists':
      case 'email_taken':
      case 'domain_claimed':
        return known(409, 'uniqueness', error.message);
      case 'not_found':
        return known(404, undefined, error.message);
      case 'version_mismatch':
        return known(412, undefined, `preconditionFailed: ${error.message}`);
      case 'forbidden':
        return known(403, undefined, error.message);
      case 'invalid_input':
      case 'email_refused':
      case 'email_unverified':
      case 'account_disabled':
        return known(400, 'invalidValue', error.message);
      default:
        break;
    }
  }
  if (isAdminError(error)) {
    switch (error.code) {
      case 'invalid_request':
        return known(400, 'invalidSyntax', error.message);
      case 'read_only':
        return known(400, 'mutability', error.message);
      case 'domain_not_claimed':
      case 'type_mismatch':
        return known(400, 'invalidValue', error.message);
      case 'email_pending_verification':
      case 'already_member':
        return known(409, 'uniqueness', error.message);
      case 'payload_too_large':
        return known(413, undefined, error.message);
      case 'unauthenticated':
        return known(401, undefined, error.message);
      case 'insufficient_scope':
        return known(403, undefined, error.message);
      case 'not_found':
        return known(404, undefined, error.message);
      case 'method_not_allowed':
        return known(405, undefined, error.message);
      default:
        break;
    }
  }
  return { error: new ScimError(500, undefined, 'internal server error'), internal: true };
}

function known(status: number, scimType: ScimType | undefined, detail: string): { error: ScimError; internal: boolean } {
  return { error: new ScimError(status, scimType, detail), internal: false };
}

export function scimErrorBody(error: ScimError): ScimErrorBody {
  const body: ScimErrorBody = { schemas: [SCIM_ERROR_SCHEMA], status: String(error.status), detail: error.message };
  if (error.scimType !== undefined) body.scimType = error.scimType;
  return body;
}
