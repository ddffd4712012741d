/**
 * The Admin API (JSON) under `/ims/admin/v1`, for org API clients with the `admin` scope. Every path names the
 * org (`/orgs/{orgId}/...`); a token acts only for its own org, and any other org id is answered 404, exactly as
 * an org that does not exist.
 *
 *   GET    /orgs/{orgId}
 *   GET    /orgs/{orgId}/domains                  POST {domain} (pending until DNS proof; admin-domain-routes.ts)
 *   POST   /orgs/{orgId}/domains/{domain}/verify  DELETE /orgs/{orgId}/domains/{domain}
 *   GET    /orgs/{orgId}/users?email=&offset=&limit=                 POST {email, userName?, firstName?, ...}
 *   GET    /orgs/{orgId}/users/{id}               DELETE /orgs/{orgId}/users/{id}
 *   POST   /orgs/{orgId}/users/{id}/disable       POST /orgs/{orgId}/users/{id}/enable
 *   GET    /orgs/{orgId}/product-profiles         POST {name, subscriptionId}
 *   GET    /orgs/{orgId}/product-profiles/{id}
 *   POST   /orgs/{orgId}/product-profiles/{id}/members {accountIds}   DELETE .../members/{accountId}
 *   GET    /orgs/{orgId}/users.csv                POST (text/csv, all or nothing)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logUnexpected } from '../../http/log-error.ts';
import { systemTxtResolver, type TxtResolver } from '../directory/domain-verification.ts';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';
import type { OrgPrincipal } from './access-tokens.ts';
import { AdminError } from './admin-error.ts';
import { routeDomains } from './admin-domain-routes.ts';
import { sendAdminError, sendJson } from './admin-http.ts';
import { orgView, profileView, userView } from './admin-views.ts';
import { removeOrgUser, requireOrgUser, setOrgUserActive } from './deprovision-org-user.ts';
import { mediaType, readBodyText, readJsonObject } from './http-body.ts';
import { provisionOrgUser, type ProvisionUserInput } from './provision-org-user.ts';
import { exportOrgUsersCsv } from './users-csv-export.ts';
import { importOrgUsersCsv } from './users-csv-import.ts';

export interface AdminApiHandlerOptions {
  directory: ImsDirectoryService;
  authenticate: (req: IncomingMessage) => Promise<OrgPrincipal | undefined>;
  /** Default `/ims/admin/v1`. */
  basePath?: string;
  /** Largest JSON body. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Largest CSV upload. Default 32 MiB. */
  maxCsvBytes?: number;
  onError?: (error: unknown) => void;
  /** Looks up TXT records for domain claims' DNS proof. Default: the system resolver (node:dns). */
  resolveTxt?: TxtResolver;
}

interface AdminRequest {
  directory: ImsDirectoryService;
  resolveTxt: TxtResolver;
  principal: OrgPrincipal;
  orgId: string;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  json(): Promise<Record<string, unknown>>;
  csv(): Promise<string>;
}

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/octet-stream'];

export function createAdminApiHandler(options: AdminApiHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const basePath = (options.basePath ?? '/ims/admin/v1').replace(/\/+$/, '');
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const maxCsv = options.maxCsvBytes ?? 32 * 1024 * 1024;
  const onError = options.onError ?? ((error: unknown) => logUnexpected('admin api', error));
  const resolveTxt = options.resolveTxt ?? systemTxtResolver();

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) return false;
    try {
      const principal = await options.authenticate(req);
      if (principal === undefined) {
        res.setHeader('WWW-Authenticate', `Bearer realm="ims-admin"${req.headers.authorization === undefined ? '' : ', error="invalid_token"'}`);
        throw new AdminError('unauthenticated', 'a valid bearer token is required');
      }
      if (!principal.scopes.includes('admin')) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="ims-admin", error="insufficient_scope", scope="admin"');
        throw new AdminError('insufficient_scope', 'the token lacks the admin scope');
      }
      const segments = url.pathname.slice(basePath.length).split('/').filter((s) => s !== '').map(decodeSegment);
      const [orgs, orgId, ...rest] = segments;
      if (orgs !== 'orgs' || orgId === undefined) throw new AdminError('not_found', 'no such endpoint');
      // Another org's id is indistinguishable from a missing one.
      if (orgId !== principal.orgId) throw new AdminError('not_found', `organization ${orgId} not found`);
      const ctx: AdminRequest = {
        directory: options.directory,
        resolveTxt,
        principal,
        orgId,
        req,
        res,
        query: url.searchParams,
        json: () => readJsonObject(req, maxBody, ['application/json']),
        async csv() {
          const type = mediaType(req);
          if (type !== '' && !CSV_TYPES.includes(type)) {
            req.resume();
            throw new AdminError('invalid_request', 'the body must be text/csv');
          }
          return readBodyText(req, maxCsv);
        },
      };
      await route(ctx, req.method ?? 'GET', rest);
    } catch (error) {
      if (!req.complete) req.resume();
      if (res.headersSent) res.end();
      else if (!sendAdminError(res, error)) onError(error);
    }
    return true;
  };
}

async function route(ctx: AdminRequest, method: string, rest: string[]): Promise<void> {
  const { directory, orgId, res } = ctx;
  const [resource, id, sub, subId, ...extra] = rest;
  if (extra.length > 0) throw new AdminError('not_found', 'no such endpoint');
  const is = (m: string, allow: string) => {
    if (method === m) return true;
    res.setHeader('Allow', allow);
    return false;
  };
  if (resource === undefined) {
    if (!is('GET', 'GET')) throw methodNotAllowed();
    return sendJson(res, 200, orgView((await directory.getOrg(orgId))!));
  }
  if (resource === 'domains' && (sub === undefined || sub === 'verify') && subId === undefined) {
    return routeDomains({ directory, resolveTxt: ctx.resolveTxt, orgId, clientId: ctx.principal.clientId, res, json: ctx.json }, method, id, sub);
  }
  if (resource === 'users.csv' && id === undefined) {
    if (method === 'GET') {
      const csv = await exportOrgUsersCsv(directory, orgId);
      return void res.writeHead(200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="users.csv"',
        'Cache-Control': 'no-store',
      }).end(csv);
    }
    if (!is('POST', 'GET, POST')) throw methodNotAllowed();
    return sendJson(res, 200, await importOrgUsersCsv(directory, orgId, await ctx.csv()));
  }
  if (resource === 'users') return routeUsers(ctx, method, id, sub, subId);
  if (resource === 'product-profiles') return routeProfiles(ctx, method, id, sub, subId);
  throw new AdminError('not_found', 'no such endpoint');
}

async function routeUsers(ctx: AdminRequest, method: string, id: string | undefined, action: string | undefined, extra: string | undefined): Promise<void> {
  const { directory, orgId, res } = ctx;
  if (extra !== undefined) throw new AdminError('not_found', 'no such endpoint');
  if (id === undefined) {
    if (method === 'GET') {
      const email = ctx.query.get('email');
      const page = await directory.listOrgAccounts(orgId, {
        ...(email === null ? {} : { filter: { op: 'eq', attr: 'email', value: email } }),
        offset: readInt(ctx.query.get('offset'), 0, 'offset'),
        limit: Math.min(readInt(ctx.query.get('limit'), 100, 'limit'), 1000),
      });
      return sendJson(res, 200, { total: page.total, items: page.items.map(userView) });
    }
    if (method !== 'POST') throw methodNotAllowed('GET, POST', res);
    const body = await ctx.json();
    if (body.emailVerified === true) throw new AdminError('read_only', 'emailVerified is read-only: an address is verified only by its owner proving control of it');
    const text = (name: string) => {
      const value = body[name];
      if (value !== undefined && value !== null && typeof value !== 'string') throw new AdminError('invalid_request', `${name} must be a string`);
      return (value ?? undefined) as string | undefined;
    };
    const email = text('email');
    if (email === undefined) throw new AdminError('invalid_request', 'email is required');
    const type = text('type');
    if (type !== undefined && type !== 'personal' && type !== 'enterprise' && type !== 'federated') throw new AdminError('invalid_request', 'type must be personal, enterprise or federated');
    const input: ProvisionUserInput = { email, externalId: text('externalId') ?? null };
    for (const name of ['userName', 'firstName', 'lastName'] as const) {
      const value = text(name);
      if (value !== undefined) input[name] = value;
    }
    if (type !== undefined) input.type = type;
    const result = await provisionOrgUser(directory, orgId, input);
    return sendJson(res, 201, { outcome: result.outcome, user: userView(result.account) });
  }
  if (action === undefined) {
    if (method === 'GET') return sendJson(res, 200, userView(await requireOrgUser(directory, orgId, id)));
    if (method !== 'DELETE') throw methodNotAllowed('GET, DELETE', res);
    await removeOrgUser(directory, orgId, id);
    return sendJson(res, 204);
  }
  if (action !== 'disable' && action !== 'enable') throw new AdminError('not_found', 'no such endpoint');
  if (method !== 'POST') throw methodNotAllowed('POST', res);
  const account = await requireOrgUser(directory, orgId, id);
  return sendJson(res, 200, userView(await setOrgUserActive(directory, orgId, account, action === 'enable')));
}

async function routeProfiles(ctx: AdminRequest, method: string, id: string | undefined, sub: string | undefined, memberId: string | undefined): Promise<void> {
  const { directory, orgId, res } = ctx;
  if (id === undefined) {
    if (method === 'GET') {
      const page = await directory.listProfiles(orgId, {
        offset: readInt(ctx.query.get('offset'), 0, 'offset'),
        limit: Math.min(readInt(ctx.query.get('limit'), 100, 'limit'), 1000),
      });
      return sendJson(res, 200, { total: page.total, items: page.items.map(profileView) });
    }
    if (method !== 'POST') throw methodNotAllowed('GET, POST', res);
    const body = await ctx.json();
    if (typeof body.name !== 'string' || body.name.trim() === '') throw new AdminError('invalid_request', 'name must be a non-empty string');
    if (typeof body.subscriptionId !== 'string' || body.subscriptionId.trim() === '') throw new AdminError('invalid_request', 'subscriptionId must be a non-empty string');
    const profile = await directory.createProfile(orgId, { name: body.name.trim(), subscriptionId: body.subscriptionId.trim() });
    return sendJson(res, 201, profileView(profile));
  }
  const profile = await directory.getProfile(orgId, id);
  if (profile === undefined) throw new AdminError('not_found', `product profile ${id} not found`);
  if (sub === undefined) {
    if (method !== 'GET') throw methodNotAllowed('GET', res);
    return sendJson(res, 200, profileView(profile));
  }
  if (sub !== 'members') throw new AdminError('not_found', 'no such endpoint');
  if (memberId === undefined) {
    if (method !== 'POST') throw methodNotAllowed('POST', res);
    const body = await ctx.json();
    const ids = body.accountIds;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((v) => typeof v === 'string' && v !== '')) {
      throw new AdminError('invalid_request', 'accountIds must be a non-empty array of user ids');
    }
    for (const accountId of ids as string[]) await requireOrgUser(directory, orgId, accountId);
    return sendJson(res, 200, profileView(await directory.addProfileMembers(orgId, id, ids as string[])));
  }
  if (method !== 'DELETE') throw methodNotAllowed('DELETE', res);
  return sendJson(res, 200, profileView(await directory.removeProfileMembers(orgId, id, [memberId])));
}

function methodNotAllowed(allow?: string, res?: ServerResponse): AdminError {
  if (allow !== undefined && res !== undefined) res.setHeader('Allow', allow);
  return new AdminError('method_not_allowed', 'method not allowed');
}

function readInt(raw: string | null, fallback: number, name: string): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new AdminError('invalid_request', `${name} must be a non-negative integer`);
  return Number(raw);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AdminError('not_found', 'no such endpoint');
  }
}
