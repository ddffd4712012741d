import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cutoverUser, isProductKitError, type LoginMode } from 'rehome/product-kit';
import { engageCutoverStore, getIdentityLink, removeIdentityLink, writeIdentityLink } from '../auth/identity-links.ts';
import { listStoredLinks, updateStoredLink } from '../content/stored-links.ts';
import { listTickets } from '../content/tickets.ts';
import type { EngageContext } from '../engage-context.ts';
import { HttpError, readJson, sendJson } from '../http/http-io.ts';
import { adminContacts, getUser, listUsersPage, setLoginMode, toProductUser } from '../users/user-records.ts';
import { getSubscription, markSubscriptionMoved, type EngageSubscription } from '../users/subscriptions.ts';

const PREFIX = /^\/api\/rehome\/v1\/subscriptions\/([^/]+)(\/.*)?$/;
const MAX_LIMIT = 500;

/**
 * The API Rehome's REST ProductSource adapter reads and writes (bearer: the configured Rehome API token). Lists are
 * paged with `?after=<cursor>&limit=<n>` and answer `{ items, next }` (`next` null on the last page). Errors are
 * `{ error: { code, message } }` with stable codes.
 */
export async function handleRehomeApi(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const match = PREFIX.exec(url.pathname);
  if (!match) return false;
  checkBearer(ctx, req.headers.authorization);
  const subscription = getSubscription(ctx.db, decodeURIComponent(match[1]!));
  if (!subscription) throw new HttpError(404, 'not_found', `No subscription ${match[1]}.`);
  const path = match[2] ?? '';
  const route = `${req.method} ${path.replace(/^\/(users|links)\/[^/]+/, '/$1/:id')}`;
  const id = decodeURIComponent(path.split('/')[2] ?? '');
  const after = url.searchParams.get('after') ?? '';
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number(url.searchParams.get('limit') ?? 100) || 100));
  switch (route) {
    case 'GET ':
      return sendJson(res, 200, { id: subscription.id, name: subscription.name, instance: subscription.instance, movedAt: subscription.movedAt, admins: adminContacts(ctx.db, subscription.id) }), true;
    case 'GET /users': {
      const users = listUsersPage(ctx.db, subscription.id, after, limit);
      return sendJson(res, 200, { items: users.map(toProductUser), next: users.length === limit ? users.at(-1)!.id : null }), true;
    }
    case 'GET /access': {
      const users = listUsersPage(ctx.db, subscription.id, after, limit);
      return sendJson(res, 200, { items: users.map((u) => ({ userId: u.id, access: u.access })), next: users.length === limit ? users.at(-1)!.id : null }), true;
    }
    case 'GET /links': {
      // Few enough per subscription to read whole; the cursor is an offset into the stable (kind, row) order.
      const all = listStoredLinks(ctx.db, subscription.id);
      const start = Number(after) || 0;
      return sendJson(res, 200, { items: all.slice(start, start + limit), next: start + limit < all.length ? String(start + limit) : null }), true;
    }
    case 'PATCH /links/:id': {
      const body = await readJson(req);
      if (typeof body.text !== 'string' || typeof body.expectedText !== 'string') throw new HttpError(400, 'invalid_request', 'Send { text, expectedText }.');
      const outcome = updateStoredLink(ctx.db, subscription.id, id, body.text, body.expectedText);
      if (!outcome.ok) throw new HttpError(outcome.reason === 'not_found' ? 404 : 409, outcome.reason, outcome.reason === 'not_found' ? `No link ${id}.` : `Link ${id} was changed since it was read.`);
      return sendJson(res, 200, outcome.link), true;
    }
    case 'GET /tickets': {
      const tickets = listTickets(ctx.db, subscription.id, after, limit);
      return sendJson(res, 200, { items: tickets, next: tickets.length === limit ? tickets.at(-1)!.id : null }), true;
    }
    case 'GET /users/:id/identity-link': {
      const link = userIn(ctx, subscription, id) && getIdentityLink(ctx.db, id);
      if (!link) throw new HttpError(404, 'not_found', `User ${id} has no identity link.`);
      return sendJson(res, 200, { issuer: link.issuer, subject: link.subject, linkedAt: link.linkedAt, firstSignInAt: link.firstSignInAt }), true;
    }
    case 'PUT /users/:id/identity-link': {
      userIn(ctx, subscription, id);
      const body = await readJson(req);
      if (typeof body.issuer !== 'string' || !/^https?:\/\//.test(body.issuer) || typeof body.subject !== 'string' || body.subject === '') {
        throw new HttpError(400, 'invalid_request', 'Send { issuer: <IMS issuer URL>, subject: <IMS account id> }.');
      }
      const outcome = writeIdentityLink(ctx.db, id, { issuer: body.issuer, subject: body.subject }, ctx.now());
      if (outcome === 'user_linked_elsewhere') throw new HttpError(409, 'conflict', `User ${id} is already linked to another IMS identity; remove that link first.`);
      if (outcome === 'identity_taken') throw new HttpError(409, 'conflict', `That IMS identity is already linked to another user of ${subscription.id}.`);
      return sendJson(res, outcome === 'created' ? 201 : 200, { userId: id, issuer: body.issuer, subject: body.subject }), true;
    }
    case 'DELETE /users/:id/identity-link':
      userIn(ctx, subscription, id);
      removeIdentityLink(ctx.db, id);
      return sendJson(res, 204, null), true;
    case 'PUT /users/:id/login-mode': {
      const user = userIn(ctx, subscription, id);
      const mode = (await readJson(req)).mode;
      if (mode !== 'legacy' && mode !== 'ims' && mode !== 'api_only') throw new HttpError(400, 'invalid_request', 'mode must be legacy, ims or api_only.');
      if (mode === 'ims' && !getIdentityLink(ctx.db, id)) throw new HttpError(409, 'not_linked', `User ${id} has no identity link; IMS-only sign-in would lock them out.`);
      if ((mode === 'api_only') !== user.apiOnly) throw new HttpError(409, 'invalid_request', `api_only is the mode of API-only users only (user ${id} is ${user.apiOnly ? '' : 'not '}API-only).`);
      setLoginMode(ctx.db, id, mode as LoginMode);
      return sendJson(res, 200, { userId: id, mode }), true;
    }
    case 'POST /users/:id/cutover': {
      userIn(ctx, subscription, id);
      try {
        return sendJson(res, 200, await cutoverUser(engageCutoverStore(ctx.db), id)), true;
      } catch (error) {
        if (isProductKitError(error)) throw new HttpError(error.code === 'not_found' ? 404 : 409, error.code, error.message);
        throw error;
      }
    }
    case 'POST /cutover':
      markSubscriptionMoved(ctx.db, subscription.id, ctx.now().toISOString());
      return sendJson(res, 200, { id: subscription.id, movedAt: getSubscription(ctx.db, subscription.id)!.movedAt }), true;
    default:
      throw new HttpError(404, 'not_found', `No route ${req.method} ${url.pathname}.`);
  }
}

function userIn(ctx: EngageContext, subscription: EngageSubscription, id: string) {
  const user = getUser(ctx.db, id);
  if (!user || user.subscriptionId !== subscription.id) throw new HttpError(404, 'not_found', `No user ${id} in ${subscription.id}.`);
  return user;
}

function checkBearer(ctx: EngageContext, header: string | undefined): void {
  const given = Buffer.from(/^Bearer (\S+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(ctx.rehomeApiToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(401, 'unauthorized', 'Send the Rehome API token as "Authorization: Bearer <token>".');
  }
}
