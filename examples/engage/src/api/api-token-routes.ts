import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiCredentialGate } from 'rehome/product-kit';
import { checkApiCredential, issueApiToken, readApiToken } from '../auth/api-credentials.ts';
import type { EngageContext } from '../engage-context.ts';
import { readForm, sendJson } from '../http/http-io.ts';
import { getUser, isLockedNow } from '../users/user-records.ts';

/**
 * The product API for API-only users: client credentials (RFC 6749 section 4.4, secret in the form or as HTTP
 * Basic) -> bearer token, and one call to prove the token works. The move to the IMS changes none of this.
 */
export async function handleApiTokenRoutes(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname === '/api/token' && req.method === 'POST') {
    const form = await readForm(req);
    const basic = readBasic(req.headers.authorization);
    const clientId = basic?.id ?? form.get('client_id') ?? '';
    const secret = basic?.secret ?? form.get('client_secret') ?? '';
    if (form.get('grant_type') !== 'client_credentials') {
      return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'Use grant_type=client_credentials.' }), true;
    }
    const userId = checkApiCredential(ctx.db, clientId, secret);
    const user = userId ? getUser(ctx.db, userId) : undefined;
    if (!user) return sendJson(res, 401, { error: 'invalid_client', error_description: 'Unknown client id or wrong secret.' }), true;
    const gate = apiCredentialGate({ loginMode: user.loginMode, apiOnly: user.apiOnly, status: user.status, locked: isLockedNow(user, ctx.now()) });
    if (!gate.allowed) return sendJson(res, 400, { error: 'unauthorized_client', error_description: gate.message }), true;
    const issued = issueApiToken(ctx.db, user.id, clientId, ctx.now());
    sendJson(res, 200, { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn });
    return true;
  }
  if (url.pathname === '/api/v1/whoami' && req.method === 'GET') {
    const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const userId = token ? readApiToken(ctx.db, token, ctx.now()) : undefined;
    const user = userId ? getUser(ctx.db, userId) : undefined;
    if (!user) {
      res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      return sendJson(res, 401, { error: 'invalid_token' }), true;
    }
    sendJson(res, 200, { userId: user.id, subscriptionId: user.subscriptionId, apiOnly: user.apiOnly, access: user.access });
    return true;
  }
  return false;
}

function readBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const value = /^Basic (\S+)$/i.exec(header ?? '')?.[1];
  if (!value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}
