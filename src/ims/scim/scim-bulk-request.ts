/**
 * Reading a BulkRequest (RFC 7644 §3.7). The request as a whole is refused only for what makes it unreadable: the
 * wrong `schemas` or no `Operations` (400), more operations than `maxOperations` (413, §3.7.4), a bad
 * `failOnErrors` or a bulkId used twice (400: references to it would be ambiguous). Everything about one operation
 * is that operation's problem, reported as its result while the others run (§3.7: the service provider continues
 * past failures).
 */
import { ScimError } from './scim-error.ts';
import { findBulkIdReferences } from './scim-bulk-references.ts';
import { readKey } from './scim-path.ts';
import { BULK_REQUEST_SCHEMA } from './scim-schemas.ts';

/** The limits a service provider MUST define and advertise (§3.7.4, RFC 7643 §5 `bulk`). */
export interface BulkLimits {
  maxOperations: number;
  /** Bytes of the whole request body. */
  maxPayloadSize: number;
}

const METHODS: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];
const RESOURCES: readonly string[] = ['Users', 'Groups'];

export interface BulkOperation {
  /** As sent, when it was a string (echoed in the result). */
  method: string | undefined;
  bulkId: string | undefined;
  /** The ETag the resource must have: the operation's `If-Match`. */
  version: string | undefined;
  /** Relative to the SCIM base (`/Users`, `/Groups/bulkId:g1`), references unresolved. */
  path: string;
  data: unknown;
  /** The bulkIds the path and data reference. */
  references: string[];
  /** Why the operation cannot run, when it is malformed: it fails with this and nothing is performed. */
  problem: ScimError | undefined;
}

export interface BulkRequest {
  /** Stop after this many failed operations; undefined runs them all. */
  failOnErrors: number | undefined;
  operations: BulkOperation[];
}

export function readBulkRequest(body: Record<string, unknown>, limits: BulkLimits): BulkRequest {
  const schemas = readKey(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(BULK_REQUEST_SCHEMA)) throw new ScimError(400, 'invalidSyntax', `schemas must be ["${BULK_REQUEST_SCHEMA}"]`);
  const operations = readKey(body, 'Operations');
  if (!Array.isArray(operations)) throw new ScimError(400, 'invalidSyntax', 'Operations must be an array of operations');
  if (operations.length > limits.maxOperations) {
    throw new ScimError(413, undefined, `The number of operations in the bulk operation (${operations.length}) exceeds the maxOperations (${limits.maxOperations}).`);
  }
  const failOnErrors = readKey(body, 'failOnErrors');
  if (failOnErrors !== undefined && (!Number.isSafeInteger(failOnErrors) || (failOnErrors as number) < 1)) {
    throw new ScimError(400, 'invalidValue', 'failOnErrors must be a positive integer: the number of errors after which the rest is not performed');
  }
  const read = operations.map((op: unknown, index) => readOperation(op, index));
  rejectRepeatedBulkIds(read);
  return { failOnErrors: failOnErrors as number | undefined, operations: read };
}

function readOperation(value: unknown, index: number): BulkOperation {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { method: undefined, bulkId: undefined, version: undefined, path: '', data: undefined, references: [], problem: new ScimError(400, 'invalidSyntax', `Operations[${index}] must be an object`) };
  }
  const op = value as Record<string, unknown>;
  const method = readKey(op, 'method');
  const bulkId = readKey(op, 'bulkId');
  const version = readKey(op, 'version');
  const path = readKey(op, 'path');
  const data = readKey(op, 'data');
  const read: BulkOperation = {
    method: typeof method === 'string' ? method : undefined,
    bulkId: typeof bulkId === 'string' && bulkId !== '' ? bulkId : undefined,
    version: typeof version === 'string' ? version : undefined,
    path: typeof path === 'string' ? path : '',
    data,
    references: [],
    problem: problemOf(method, bulkId, version, path, data),
  };
  // A malformed operation fails as it is, without waiting for the POSTs it names.
  if (read.problem === undefined) read.references = findBulkIdReferences(read.path, data);
  return read;
}

/** The first thing wrong with an operation, checked in the order a single request would meet it. */
function problemOf(method: unknown, bulkId: unknown, version: unknown, path: unknown, data: unknown): ScimError | undefined {
  if (typeof method !== 'string' || !METHODS.includes(method)) return new ScimError(400, 'invalidValue', 'method must be POST, PUT, PATCH or DELETE');
  if (bulkId !== undefined && (typeof bulkId !== 'string' || bulkId === '')) return new ScimError(400, 'invalidValue', 'bulkId must be a non-empty string');
  if (method === 'POST' && bulkId === undefined) return new ScimError(400, 'invalidValue', 'bulkId is required with POST (RFC 7644 §3.7)');
  if (version !== undefined && typeof version !== 'string') return new ScimError(400, 'invalidValue', 'version must be a string (an ETag, W/"3")');
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#]/.test(path)) {
    return new ScimError(400, 'invalidValue', 'path must be a resource path relative to the SCIM base, without a query (/Users, /Groups/{id})');
  }
  const segments = path.split('/').filter((s) => s !== '');
  if (!RESOURCES.includes(segments[0] ?? '')) return new ScimError(404, undefined, `no such endpoint: ${path}`);
  const wanted = method === 'POST' ? 1 : 2;
  if (segments.length !== wanted || segments[1] === '.search') {
    return new ScimError(400, 'invalidValue', `${method} needs a path that names ${method === 'POST' ? 'a resource type (/Users, /Groups)' : 'one resource (/Users/{id})'}`);
  }
  if (method !== 'DELETE' && (data === null || typeof data !== 'object' || Array.isArray(data))) {
    return new ScimError(400, 'invalidSyntax', `data must be the JSON object the single ${method} request would send`);
  }
  return undefined;
}

function rejectRepeatedBulkIds(operations: BulkOperation[]): void {
  const seen = new Set<string>();
  for (const { bulkId } of operations) {
    if (bulkId === undefined) continue;
    if (seen.has(bulkId)) throw new ScimError(400, 'invalidValue', `bulkId ${JSON.stringify(bulkId)} is used by more than one operation; RFC 7644 §3.7 has it unique within a request`);
    seen.add(bulkId);
  }
}
