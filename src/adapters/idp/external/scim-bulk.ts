/**
 * Sending many SCIM writes as Bulk requests (RFC 7644 §3.7): packed under the server's `maxOperations` and
 * `maxPayloadSize`, answered per operation. The whole request is one request to the rate limiter, the retry policy
 * and the timeout; each operation inside it succeeds or fails on its own.
 */
import { IdpError } from '../../../ports/identity-provider.ts';
import { scimAnswerError, type ScimClient } from './scim-client.ts';

export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

export interface BulkOperation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the SCIM base: `/Users`, `/Groups/{id}`. */
  path: string;
  data?: unknown;
  /** The ETag the resource must still have (the operation's If-Match). */
  version?: string;
}

export type BulkAnswer =
  | { ok: true; status: number; body: unknown; location: string | undefined }
  | { ok: false; error: IdpError };

export interface BulkLimits {
  maxOperations: number;
  maxPayloadSize: number;
}

/** The request's own fields around the operations: generous, so that a packed request never exceeds the limit. */
const ENVELOPE_BYTES = 256;

/**
 * Sends `operations` in as few Bulk requests as the limits allow (run together; the client's semaphore and rate
 * limiter decide how many go at once) and answers each operation in input order. A request that fails as a whole
 * fails each of its operations with that error. `idempotent`: may a request whose outcome is unknown be repeated
 * blindly (true when every operation is a PATCH, PUT or DELETE that a repeat leaves as it was)?
 */
export async function sendBulk(scim: ScimClient, operation: string, operations: BulkOperation[], limits: BulkLimits, idempotent: boolean): Promise<BulkAnswer[]> {
  const answers: BulkAnswer[] = Array.from({ length: operations.length });
  const requests: { index: number; op: Record<string, unknown> }[][] = [];
  let current: { index: number; op: Record<string, unknown> }[] = [];
  let bytes = ENVELOPE_BYTES;
  operations.forEach((o, index) => {
    // Every operation carries a bulkId (RFC 7644 §3.7: required for POST, allowed for all) to match its answer.
    const op: Record<string, unknown> = { method: o.method, bulkId: `op${index}`, path: o.path, ...(o.version === undefined ? {} : { version: o.version }), ...(o.data === undefined ? {} : { data: o.data }) };
    const size = Buffer.byteLength(JSON.stringify(op)) + 1;
    if (size + ENVELOPE_BYTES > limits.maxPayloadSize) {
      answers[index] = { ok: false, error: new IdpError('invalid_request', `${operation}: one operation is ${size} bytes, over the IdP's Bulk maxPayloadSize of ${limits.maxPayloadSize}`, { retryable: false }) };
      return;
    }
    if (current.length >= limits.maxOperations || bytes + size > limits.maxPayloadSize) {
      requests.push(current);
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    current.push({ index, op });
    bytes += size;
  });
  if (current.length > 0) requests.push(current);

  await Promise.all(requests.map(async (request) => {
    try {
      const { body } = await scim.request({
        operation, method: 'POST', path: '/Bulk', idempotent,
        body: { schemas: [BULK_REQUEST], Operations: request.map((r) => r.op) },
      });
      readAnswers(operation, request, body).forEach((answer, k) => { answers[request[k]!.index] = answer; });
    } catch (error) {
      const e = error instanceof IdpError ? error : new IdpError('unavailable', `${operation}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
      for (const r of request) answers[r.index] = { ok: false, error: e };
    }
  }));
  return answers;
}

interface WireAnswer {
  bulkId?: unknown;
  location?: unknown;
  status?: unknown;
  response?: unknown;
}

/**
 * Matches a BulkResponse to the request's operations: by bulkId, else by position among the unmatched (servers
 * echo bulkId on POST; RFC 7644 §3.7.3 does not require it for the other methods). An operation left without an
 * answer (a server that stopped early) fails as `protocol`: whether it ran is unknown to us, so it is not retryable
 * blindly; the callers look again.
 */
function readAnswers(operation: string, request: { index: number; op: Record<string, unknown> }[], body: unknown): BulkAnswer[] {
  const list = (typeof body === 'object' && body !== null ? (body as { Operations?: unknown }).Operations : undefined);
  if (!Array.isArray(list)) throw new IdpError('protocol', `${operation}: the IdP answered a Bulk request with something that is not a BulkResponse`);
  const wire = list as WireAnswer[];
  const byBulkId = new Map<string, WireAnswer>();
  const unnamed: WireAnswer[] = [];
  for (const answer of wire) {
    if (typeof answer?.bulkId === 'string' && !byBulkId.has(answer.bulkId)) byBulkId.set(answer.bulkId, answer);
    else unnamed.push(answer);
  }
  return request.map(({ op }) => {
    const answer = byBulkId.get(op.bulkId as string) ?? unnamed.shift();
    const what = `Bulk ${op.method as string} ${op.path as string}`;
    if (answer === undefined) return { ok: false, error: new IdpError('protocol', `${operation}: ${what} got no answer in the BulkResponse`, { retryable: false }) };
    const status = statusOf(answer.status);
    if (status === undefined) return { ok: false, error: new IdpError('protocol', `${operation}: ${what} answered without a status`, { retryable: false }) };
    if (status >= 200 && status < 300) return { ok: true, status, body: answer.response, location: typeof answer.location === 'string' ? answer.location : undefined };
    return { ok: false, error: scimAnswerError(operation, what, status, answer.response) };
  });
}

/** RFC 7644 §3.7.3 sends the status as a string ("201"); SCIM 1.1 servers sent `{ "code": "201" }`. */
function statusOf(value: unknown): number | undefined {
  const raw = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : value;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{3}$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isInteger(n) ? n : undefined;
}
