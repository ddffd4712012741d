/**
 * The OAuth 2.0 token endpoint for org API clients: client credentials grant only (RFC 6749 §4.4), with
 * `client_secret_basic` (§2.3.1, HTTP Basic with form-urlencoded id and secret) or `client_secret_post`.
 * Errors follow §5.2; every response carries `Cache-Control: no-store` (§5.1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAdminError } from './admin-error.ts';
import type { AccessTokens } from './access-tokens.ts';
import type { AdminStoreHandle } from './admin-tables.ts';
import { mediaType, readBodyText } from './http-body.ts';
import { authenticateOrgClient, type OrgClientScope } from './org-clients.ts';

export const TOKEN_PATH = '/ims/admin/token';
const MAX_BODY = 16 * 1024;

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly basic: boolean;
  constructor(code: OAuthErrorCode, description: string, status = 400, basic = false) {
    super(description);
    this.code = code;
    this.status = status;
    this.basic = basic;
  }
}

export function createTokenEndpoint(options: { store: AdminStoreHandle; tokens: AccessTokens }): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const { store, tokens } = options;
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== TOKEN_PATH) return false;
    try {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        throw new OAuthError('invalid_request', 'the token endpoint accepts POST only', 405);
      }
      if (mediaType(req) !== 'application/x-www-form-urlencoded') {
        req.resume();
        throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
      }
      const form = new URLSearchParams(await readBodyText(req, MAX_BODY));
      rejectRepeatedParameters(form);
      const credentials = readClientCredentials(req, form);
      if (form.get('grant_type') !== 'client_credentials') {
        throw new OAuthError(form.has('grant_type') ? 'unsupported_grant_type' : 'invalid_request',
          form.has('grant_type') ? 'only grant_type=client_credentials is supported' : 'grant_type is missing');
      }
      const client = await authenticateOrgClient(store, credentials.clientId, credentials.clientSecret);
      if (client === undefined) throw new OAuthError('invalid_client', 'client authentication failed', 401, credentials.basic);
      const scopes = requestedScopes(form.get('scope'), client.scopes);
      const { accessToken, expiresIn } = await tokens.issue(client, scopes);
      send(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: scopes.join(' ') });
    } catch (error) {
      if (error instanceof OAuthError) {
        // §5.2: a client that tried Basic gets 401 with a matching challenge.
        if (error.status === 401) res.setHeader('WWW-Authenticate', error.basic ? 'Basic realm="ims-admin"' : 'Bearer realm="ims-admin"');
        send(res, error.status, { error: error.code, error_description: error.message });
      } else if (isAdminError(error, 'payload_too_large')) {
        send(res, 413, { error: 'invalid_request', error_description: error.message });
      } else if (isAdminError(error, 'invalid_request')) {
        send(res, 400, { error: 'invalid_request', error_description: error.message });
      } else {
        send(res, 500, { error: 'server_error', error_description: 'the token could not be issued' });
      }
    }
    return true;
  };
}

function rejectRepeatedParameters(form: URLSearchParams): void {
  for (const key of new Set(form.keys())) {
    if (form.getAll(key).length > 1) throw new OAuthError('invalid_request', `parameter ${key} is repeated`);
  }
}

function readClientCredentials(req: IncomingMessage, form: URLSearchParams): { clientId: string; clientSecret: string; basic: boolean } {
  const header = req.headers.authorization;
  const inBody = form.has('client_secret');
  if (typeof header === 'string' && /^Basic /i.test(header)) {
    // §2.3: a client MUST NOT use more than one authentication method in a request.
    if (inBody) throw new OAuthError('invalid_request', 'use either HTTP Basic or client_secret in the body, not both');
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'malformed Basic credentials', 401, true);
    try {
      // §2.3.1: id and secret are form-urlencoded before being joined.
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
        basic: true,
      };
    } catch {
      throw new OAuthError('invalid_client', 'malformed Basic credentials', 401, true);
    }
  }
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  if (clientId === null || clientSecret === null) {
    throw new OAuthError('invalid_client', 'client authentication is required (client_secret_basic or client_secret_post)', 401);
  }
  return { clientId, clientSecret, basic: false };
}

/** §3.3: the granted scope is what was asked for, every piece of it allowed; no `scope` means all of the client's. */
function requestedScopes(raw: string | null, allowed: OrgClientScope[]): OrgClientScope[] {
  if (raw === null || raw.trim() === '') return allowed;
  const asked = [...new Set(raw.trim().split(/ +/))];
  const unknown = asked.filter((s) => !(allowed as string[]).includes(s));
  if (unknown.length > 0) throw new OAuthError('invalid_scope', `scope not allowed for this client: ${unknown.join(' ')}`);
  return asked as OrgClientScope[];
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  res.end(JSON.stringify(body));
}
