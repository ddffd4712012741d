/**
 * The SCIM 2.0 service (RFC 7643/7644) as a node:http handler: `createScimHandler(...)` returns a function that
 * serves any request under `/scim/v2` and returns false for every other path, so a server can chain it.
 *
 * Every request except discovery needs a bearer token of an org API client with the `scim` scope; everything it
 * reads or writes is that organization's (another org's ids are 404, its users never listed).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logUnexpected } from '../../http/log-error.ts';
import type { OrgPrincipal } from '../admin-api/access-tokens.ts';
import { readJsonObject } from '../admin-api/http-body.ts';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';
import { serveBulk } from './scim-bulk.ts';
import type { BulkLimits } from './scim-bulk-request.ts';
import { resourceTypes, serviceProviderConfig } from './scim-discovery.ts';
import type { ScimContext, ScimListParams } from './scim-context.ts';
import { ScimError, scimErrorBody, toScimError } from './scim-error.ts';
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from './scim-groups.ts';
import { ACCEPTED_BODY_TYPES, listResponse, sendScim } from './scim-http.ts';
import { readKey } from './scim-path.ts';
import { schemaDefinitions, SEARCH_REQUEST_SCHEMA } from './scim-schemas.ts';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from './scim-users.ts';

export interface ScimHandlerOptions {
  directory: ImsDirectoryService;
  /** Verifies the request's credentials; undefined means unauthenticated (401). */
  authenticate: (req: IncomingMessage) => Promise<OrgPrincipal | undefined>;
  /** Default `/scim/v2`. */
  basePath?: string;
  /** Origin used in `meta.location` (`https://ims.example`); default `http://<Host header>`. */
  publicOrigin?: string;
  /** Largest accepted body (but for /Bulk, whose limit is `bulk.maxPayloadSize`). Default 1 MiB; larger bodies get 413. */
  maxBodyBytes?: number;
  /**
   * `POST /Bulk` (RFC 7644 §3.7) and its limits, advertised in /ServiceProviderConfig; beyond either the request is
   * 413. Default `{ maxOperations: 1000, maxPayloadSize: 1048576 }`. `false`: no Bulk (501, and advertised so).
   */
  bulk?: BulkLimits | false;
  documentationUri?: string;
  /** Told about failures that became a bare 500 (the client never sees them). Default: console.error. */
  onError?: (error: unknown) => void;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const DEFAULT_MAX_BODY = 1024 * 1024;
const DEFAULT_BULK_LIMITS: Readonly<BulkLimits> = Object.freeze({ maxOperations: 1000, maxPayloadSize: 1024 * 1024 });

export function createScimHandler(options: ScimHandlerOptions): NodeHandler {
  const basePath = (options.basePath ?? '/scim/v2').replace(/\/+$/, '');
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const onError = options.onError ?? ((error: unknown) => logUnexpected('scim', error));
  const bulk = readBulkLimits(options.bulk);
  // Operations are single requests: routed like one, never to /Bulk again.
  const runBulk = bulk === false ? undefined : (ctx: ScimContext) => serveBulk(ctx, bulk, (op, segments) => route(op, segments, undefined), onError);

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://scim.invalid');
    if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) return false;
    const segments = url.pathname.slice(basePath.length).split('/').filter((s) => s !== '');
    const baseUrl = `${options.publicOrigin?.replace(/\/+$/, '') ?? originFromHost(req)}${basePath}`;
    try {
      if (!(await serveDiscovery(req, res, segments, baseUrl, options.documentationUri, bulk))) {
        const principal = await options.authenticate(req);
        if (principal === undefined) {
          const presented = req.headers.authorization !== undefined;
          const challenge = `Bearer realm="scim"${presented ? ', error="invalid_token"' : ''}`;
          throw new ScimError(401, undefined, 'a valid bearer token is required', { headers: { 'WWW-Authenticate': challenge } });
        }
        if (!principal.scopes.includes('scim')) {
          const challenge = 'Bearer realm="scim", error="insufficient_scope", scope="scim"';
          throw new ScimError(403, undefined, 'the token lacks the scim scope', { headers: { 'WWW-Authenticate': challenge } });
        }
        const ctx: ScimContext = {
          directory: options.directory,
          principal,
          baseUrl,
          method: req.method ?? 'GET',
          query: url.searchParams,
          ifMatch: req.headers['if-match'],
          ifNoneMatch: req.headers['if-none-match'],
          readBody: () => readJsonObject(req, segments[0] === 'Bulk' && bulk !== false ? bulk.maxPayloadSize : maxBody, ACCEPTED_BODY_TYPES),
          reply: (status, body, headers) => sendScim(res, status, body, headers),
        };
        await route(ctx, segments, runBulk);
      }
    } catch (error) {
      const { error: scimError, internal } = toScimError(error);
      if (internal) onError(error);
      if (!req.complete) req.resume();
      if (res.headersSent) res.end();
      else sendScim(res, scimError.status, scimErrorBody(scimError), { ...scimError.headers });
    }
    return true;
  };
}

/** Discovery (RFC 7644 §4) holds no tenant data and is served without a token, so clients can probe first. */
async function serveDiscovery(req: IncomingMessage, res: ServerResponse, segments: string[], baseUrl: string, documentationUri: string | undefined, bulk: BulkLimits | false): Promise<boolean> {
  const [first, second, ...rest] = segments;
  if (first !== 'ServiceProviderConfig' && first !== 'ResourceTypes' && first !== 'Schemas') return false;
  if (req.method !== 'GET') methodNotAllowed('GET');
  if (rest.length > 0) throw new ScimError(404, undefined, 'no such resource');
  if (first === 'ServiceProviderConfig') {
    if (second !== undefined) throw new ScimError(404, undefined, 'no such resource');
    sendScim(res, 200, serviceProviderConfig(baseUrl, documentationUri, bulk));
    return true;
  }
  const all: { id: string }[] = first === 'ResourceTypes' ? resourceTypes(baseUrl) : schemaDefinitions(baseUrl);
  if (second === undefined) {
    sendScim(res, 200, listResponse(all.length, 1, all));
    return true;
  }
  const one = all.find((item) => item.id === decodeSegment(second));
  if (one === undefined) throw new ScimError(404, undefined, `${first}/${second} not found`);
  sendScim(res, 200, one);
  return true;
}

async function route(ctx: ScimContext, segments: string[], runBulk: ((ctx: ScimContext) => Promise<void>) | undefined): Promise<void> {
  const [collection, id, ...rest] = segments;
  const method = ctx.method;
  if (collection === 'Bulk' && runBulk !== undefined) {
    if (id !== undefined) throw new ScimError(404, undefined, 'no such endpoint');
    if (method !== 'POST') return methodNotAllowed('POST');
    return runBulk(ctx);
  }
  if (collection === 'Bulk' || collection === 'Me' || collection === '.search') {
    throw new ScimError(501, undefined, `/${collection} is not supported (see /ServiceProviderConfig)`);
  }
  if ((collection !== 'Users' && collection !== 'Groups') || rest.length > 0) throw new ScimError(404, undefined, 'no such endpoint');
  const users = collection === 'Users';
  if (id === undefined) {
    if (method === 'GET') return (users ? listUsers : listGroups)(ctx, listParamsFromQuery(ctx.query));
    if (method === 'POST') return (users ? createUser : createGroup)(ctx);
    return methodNotAllowed('GET, POST');
  }
  if (id === '.search') {
    if (method !== 'POST') return methodNotAllowed('POST');
    return (users ? listUsers : listGroups)(ctx, listParamsFromSearch(await ctx.readBody()));
  }
  const resourceId = decodeSegment(id);
  switch (method) {
    case 'GET': return (users ? getUser : getGroup)(ctx, resourceId);
    case 'PUT': return (users ? replaceUser : replaceGroup)(ctx, resourceId);
    case 'PATCH': return (users ? patchUser : patchGroup)(ctx, resourceId);
    case 'DELETE': return (users ? deleteUser : deleteGroup)(ctx, resourceId);
    default: return methodNotAllowed('GET, PUT, PATCH, DELETE');
  }
}

function readBulkLimits(bulk: BulkLimits | false | undefined): BulkLimits | false {
  if (bulk === false) return false;
  const limits = { ...DEFAULT_BULK_LIMITS, ...bulk };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`bulk.${name} must be a positive integer`);
  }
  return Object.freeze(limits);
}

function methodNotAllowed(allow: string): never {
  throw new ScimError(405, undefined, `method not allowed; use ${allow}`, { headers: { Allow: allow } });
}

function listParamsFromQuery(query: URLSearchParams): ScimListParams {
  return {
    filter: query.get('filter') ?? undefined,
    startIndex: query.get('startIndex') ?? undefined,
    count: query.get('count') ?? undefined,
    attributes: query.get('attributes') ?? undefined,
    excludedAttributes: query.get('excludedAttributes') ?? undefined,
    sortBy: query.get('sortBy') ?? undefined,
    sortOrder: query.get('sortOrder') ?? undefined,
  };
}

/** RFC 7644 §3.4.3: the same parameters in a SearchRequest body. */
function listParamsFromSearch(body: Record<string, unknown>): ScimListParams {
  const schemas = readKey(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(SEARCH_REQUEST_SCHEMA)) throw new ScimError(400, 'invalidSyntax', `schemas must be ["${SEARCH_REQUEST_SCHEMA}"]`);
  const filter = readKey(body, 'filter');
  if (filter !== undefined && typeof filter !== 'string') throw new ScimError(400, 'invalidFilter', 'filter must be a string');
  return {
    filter,
    startIndex: readKey(body, 'startIndex'),
    count: readKey(body, 'count'),
    attributes: readKey(body, 'attributes'),
    excludedAttributes: readKey(body, 'excludedAttributes'),
    sortBy: readKey(body, 'sortBy'),
    sortOrder: readKey(body, 'sortOrder'),
  };
}

/** The Host header is client input: only a plain host[:port] is echoed into URLs. */
function originFromHost(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  return /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(host) ? `http://${host}` : 'http://localhost';
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ScimError(404, undefined, 'no such resource');
  }
}
