import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessGrant } from '../../../../src/core/model.ts';
import { userManagementGate } from 'rehome/product-kit';
import { revokePasswordSessions } from '../auth/sessions.ts';
import { signedInUser, type EngageContext } from '../engage-context.ts';
import { assertSameOrigin, HttpError, readJson, sendJson } from '../http/http-io.ts';
import { replaceAccess } from '../users/access-writes.ts';
import { findSubscriptionByInstance } from '../users/subscriptions.ts';
import { getUser, toProductUser } from '../users/user-records.ts';

/**
 * The product's user management for subscription admins (JSON, session cookie). After the move it accepts changes
 * to identity (email, name, status) only for API-only users, as the IMS owns everyone else's account; access
 * (roles, workspaces, partitions) stays editable here for everyone.
 */
export async function handleUserAdminRoutes(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const match = /^\/app-([a-z0-9]+)\/api\/users\/([^/]+)(\/access)?$/.exec(url.pathname);
  const subscription = match && findSubscriptionByInstance(ctx.db, match[1]!);
  if (!match || !subscription) return false;
  const current = signedInUser(ctx, req);
  if (!current || current.user.subscriptionId !== subscription.id) throw new HttpError(401, 'not_signed_in', 'Sign in first.');
  if (!current.user.isAdmin) throw new HttpError(403, 'forbidden', 'Only subscription admins manage users.');
  const target = getUser(ctx.db, decodeURIComponent(match[2]!));
  if (!target || target.subscriptionId !== subscription.id) throw new HttpError(404, 'not_found', 'No such user.');
  if (req.method === 'GET' && !match[3]) return sendJson(res, 200, toProductUser(target)), true;
  if (req.method !== 'PATCH' && req.method !== 'PUT') return false;
  assertSameOrigin(req, ctx.origin);
  const body = await readJson(req);
  if (match[3] && req.method === 'PUT') {
    replaceAccess(ctx.db, subscription.id, target.id, readAccess(body.access));
  } else if (!match[3] && req.method === 'PATCH') {
    const gate = userManagementGate(target, { subscriptionMoved: subscription.movedAt !== null });
    if (!gate.allowed) throw new HttpError(403, gate.code, gate.message);
    const patch = readPatch(body);
    ctx.db.transaction(() => {
      ctx.db.sqlite.prepare(`UPDATE users SET email = COALESCE(?, email), email_verified = CASE WHEN ? IS NULL THEN email_verified ELSE 0 END,
        first_name = COALESCE(?, first_name), last_name = COALESCE(?, last_name), status = COALESCE(?, status) WHERE id = ?`)
        .run(patch.email, patch.email, patch.firstName, patch.lastName, patch.status, target.id);
      if (patch.status === 'deactivated') revokePasswordSessions(ctx.db, target.id);
    });
  } else {
    return false;
  }
  sendJson(res, 200, toProductUser(getUser(ctx.db, target.id)!));
  return true;
}

function readPatch(body: Record<string, unknown>): { email: string | null; firstName: string | null; lastName: string | null; status: string | null } {
  const text = (key: string): string | null => {
    const value = body[key];
    if (value === undefined) return null;
    if (typeof value !== 'string') throw new HttpError(400, 'invalid_request', `${key} must be text`);
    return value;
  };
  const status = text('status');
  if (status !== null && status !== 'active' && status !== 'deactivated') throw new HttpError(400, 'invalid_request', 'status must be active or deactivated');
  return { email: text('email'), firstName: text('firstName'), lastName: text('lastName'), status };
}

export function readAccess(value: unknown): AccessGrant[] {
  const ok = (a: unknown): a is AccessGrant => !!a && typeof a === 'object'
    && ['workspace', 'partition', 'role'].every((k) => typeof (a as Record<string, unknown>)[k] === 'string' && ((a as Record<string, string>)[k] ?? '') !== '');
  if (!Array.isArray(value) || !value.every(ok)) throw new HttpError(400, 'invalid_request', 'access must be a list of { workspace, partition, role }');
  return value.map((a) => ({ workspace: a.workspace, partition: a.partition, role: a.role }));
}
