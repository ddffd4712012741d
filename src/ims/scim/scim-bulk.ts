/**
 * `POST /Bulk` (RFC 7644 §3.7): the operations of one BulkRequest, run one after another as the single requests
 * they stand for — through the same endpoint functions, under the same org principal, so each is checked, written
 * and refused exactly as it would be alone. Each operation stands alone: a failure undoes nothing before it and
 * stops nothing after it (there is no all-or-nothing), unless `failOnErrors` failures have happened; the operations
 * not run then are not listed (§3.7.3). The answer is 200 with a BulkResponse whatever the operations' outcomes.
 */
import type { ScimContext } from './scim-context.ts';
import { ScimError, scimErrorBody, toScimError } from './scim-error.ts';
import { readBulkRequest, type BulkLimits, type BulkOperation } from './scim-bulk-request.ts';
import { scheduleBulk, substituteBulkIds, substitutePathBulkIds, type UnresolvedReference } from './scim-bulk-references.ts';
import { BULK_RESPONSE_SCHEMA } from './scim-schemas.ts';

/** Runs one single request (`segments` under the SCIM base) with `ctx`: the handler's own routing. */
export type ScimDispatch = (ctx: ScimContext, segments: string[]) => Promise<void>;

/** One entry of the BulkResponse's `Operations` (§3.7.3): `status` is the HTTP status as a string. */
export interface BulkOperationResult {
  method?: string;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  /** The resource as the single request returns it, or the SCIM error body (§3.12) of a failed operation. */
  response?: unknown;
}

interface Outcome {
  result: BulkOperationResult;
  /** The id a successful POST created, for the references to its bulkId. */
  createdId?: string;
}

export async function serveBulk(ctx: ScimContext, limits: BulkLimits, dispatch: ScimDispatch, onError: (error: unknown) => void): Promise<void> {
  const request = readBulkRequest(await readPayload(ctx, limits), limits);
  const scheduler = scheduleBulk(request.operations);
  const results: BulkOperationResult[] = [];
  let errors = 0;
  for (let step = scheduler.next(); step !== undefined; step = scheduler.next()) {
    const op = request.operations[step.index] as BulkOperation;
    const outcome = step.unresolved === undefined
      ? await runOperation(ctx, op, scheduler.ids, dispatch, onError)
      : failed(op, unresolvedError(step.unresolved), locationOf(ctx, op, scheduler.ids));
    scheduler.settle(step.index, outcome.createdId);
    results[step.index] = outcome.result;
    if (Number(outcome.result.status) >= 400) errors += 1;
    if (request.failOnErrors !== undefined && errors >= request.failOnErrors) break;
  }
  // Listed in request order (an operation may have waited for a later POST); the ones not run are left out.
  ctx.reply(200, { schemas: [BULK_RESPONSE_SCHEMA], Operations: results.filter((r) => r !== undefined) });
}

/** §3.7.4: a body over maxPayloadSize is 413 with a detail naming the limit. */
async function readPayload(ctx: ScimContext, limits: BulkLimits): Promise<Record<string, unknown>> {
  try {
    return await ctx.readBody();
  } catch (error) {
    if (toScimError(error).error.status !== 413) throw error;
    throw new ScimError(413, undefined, `The size of the bulk operation exceeds the maxPayloadSize (${limits.maxPayloadSize}).`, { cause: error });
  }
}

async function runOperation(parent: ScimContext, op: BulkOperation, ids: ReadonlyMap<string, string>, dispatch: ScimDispatch, onError: (error: unknown) => void): Promise<Outcome> {
  const location = locationOf(parent, op, ids);
  if (op.problem !== undefined) return failed(op, op.problem, location);
  const path = substitutePathBulkIds(op.path, ids) as string;
  const data = substituteBulkIds(op.data, ids) as Record<string, unknown>;
  let answer: { status: number; body: unknown; headers: Record<string, string> } | undefined;
  const ctx: ScimContext = {
    directory: parent.directory,
    principal: parent.principal,
    baseUrl: parent.baseUrl,
    method: op.method as string,
    // The Bulk request's own query string is not the operations': each answers with the resource, except a Group's
    // members — a profile of 100,000 members would otherwise be repeated in the answer of every membership change.
    query: new URLSearchParams(/^\/?Groups(\/|$)/.test(path) ? { excludedAttributes: 'members' } : {}),
    ifMatch: op.version,
    ifNoneMatch: undefined,
    readBody: async () => data,
    reply: (status, body, headers = {}) => { answer = { status, body, headers }; },
  };
  try {
    await dispatch(ctx, path.split('/').filter((s) => s !== ''));
  } catch (error) {
    const { error: scimError, internal } = toScimError(error);
    if (internal) onError(error);
    return failed(op, scimError, location);
  }
  if (answer === undefined) {
    onError(new Error(`SCIM Bulk: ${op.method} ${path} ended without an answer`));
    return failed(op, new ScimError(500, undefined, 'internal server error'), location);
  }
  const result: BulkOperationResult = { ...echo(op), status: String(answer.status) };
  const where = answer.headers.Location ?? location;
  if (where !== undefined) result.location = where;
  if (answer.headers.ETag !== undefined) result.version = answer.headers.ETag;
  if (answer.body !== undefined) result.response = answer.body;
  const id = (answer.body as { id?: unknown } | undefined)?.id;
  return op.method === 'POST' && typeof id === 'string' ? { result, createdId: id } : { result };
}

function failed(op: BulkOperation, error: ScimError, location: string | undefined): Outcome {
  return { result: { ...echo(op), ...(location === undefined ? {} : { location }), status: String(error.status), response: scimErrorBody(error) } };
}

function echo(op: BulkOperation): Pick<BulkOperationResult, 'method' | 'bulkId'> {
  return { ...(op.method === undefined ? {} : { method: op.method }), ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }) };
}

/** §3.7.3: the resource's URL, required except for a POST that failed; unknown while its path names an unresolved bulkId. */
function locationOf(ctx: ScimContext, op: BulkOperation, ids: ReadonlyMap<string, string>): string | undefined {
  if (op.method === 'POST' || op.problem !== undefined) return undefined;
  const path = substitutePathBulkIds(op.path, ids);
  return path === undefined ? undefined : `${ctx.baseUrl}/${path.split('/').filter((s) => s !== '').join('/')}`;
}

/** §3.7.2: a bulkId that cannot be resolved fails the operation with 409 `invalidValue`; nothing is performed. */
function unresolvedError({ bulkId, why }: UnresolvedReference): ScimError {
  const reason = {
    unknown: `no POST operation of this request has bulkId ${JSON.stringify(bulkId)}`,
    failed: 'the operation that was to create it failed',
    circular: 'the operations reference each other in a circle, so none can run first (RFC 7644 §3.7.1)',
  }[why];
  return new ScimError(409, 'invalidValue', `bulkId:${bulkId} cannot be resolved: ${reason}`);
}
