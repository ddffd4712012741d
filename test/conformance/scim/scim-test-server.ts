/**
 * A real node:http server on 127.0.0.1 (port 0) with the token endpoint, SCIM and the Admin API over a real
 * SQLite store, as the conformance and integration suites use it. `await using server = await startScimTestServer()`.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOrgClient, type OrgClientScope } from '../../../src/ims/admin-api/org-clients.ts';
import { createProvisioningHandlers } from '../../../src/ims/admin-api/provisioning-handlers.ts';
import type { ImsDirectoryService } from '../../../src/ims/directory/ims-directory.ts';
import { createStoreImsDirectory } from '../../../src/ims/directory/store-ims-directory.ts';
import { openStore, type StoreAdapter } from '../../../src/app/rehome-store.ts';

export interface TestOrg {
  orgId: string;
  clientId: string;
  clientSecret: string;
  /** A bearer token from the real token endpoint. */
  token: string;
}

export interface ScimTestServer extends AsyncDisposable {
  url: string;
  store: StoreAdapter;
  directory: ImsDirectoryService;
  /** Creates an org (with optional claimed domains) and an API client, and fetches a token for it. */
  createOrg(name: string, options?: { domains?: string[]; scopes?: OrgClientScope[] }): Promise<TestOrg>;
  fetchToken(clientId: string, clientSecret: string, scope?: string): Promise<string>;
  /** fetch with the base URL, the bearer token and SCIM JSON; returns the status, headers and parsed body. */
  scim(token: string | undefined, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
  /** The same against the Admin API (`/ims/admin/v1` + path). */
  admin(token: string | undefined, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
  /** Internal errors the handlers reported (a test can assert none happened). */
  internalErrors: unknown[];
}

export interface ScimResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/**
 * The usual test file's server: one org, Acme, claiming example.com, started before the file's tests; after them
 * checked for internal errors (a 500 is always a bug) and closed. `use` receives both once they are up.
 */
export function acmeScimServer(use: (server: ScimTestServer, org: TestOrg) => void): void {
  let server: ScimTestServer | undefined;
  before(async () => {
    server = await startScimTestServer();
    use(server, await server.createOrg('Acme', { domains: ['example.com'] }));
  });
  after(async () => {
    if (!server) return;
    assert.deepEqual(server.internalErrors, []);
    await server[Symbol.asyncDispose]();
  });
}

export async function startScimTestServer(): Promise<ScimTestServer> {
  const store = await openStore({ kind: 'sqlite', path: ':memory:' });
  const directory = createStoreImsDirectory(store);
  const internalErrors: unknown[] = [];
  const { handlers } = createProvisioningHandlers({ store, directory, onError: (error) => internalErrors.push(error) });
  const server: Server = createServer(async (req, res) => {
    for (const handler of handlers) if (await handler(req, res)) return;
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function request(base: string, token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimResponse> {
    const init: RequestInit = { method, headers: { ...headers } };
    const h = init.headers as Record<string, string>;
    if (token !== undefined) h.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= base.startsWith('/scim') ? 'application/scim+json' : 'application/json';
    }
    const response = await fetch(`${url}${base}${path}`, init);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  async function fetchToken(clientId: string, clientSecret: string, scope?: string): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    if (scope !== undefined) form.set('scope', scope);
    const response = await fetch(`${url}/ims/admin/token`, { method: 'POST', body: form });
    const json = (await response.json()) as { access_token?: string };
    if (response.status !== 200 || json.access_token === undefined) throw new Error(`token request failed: ${response.status} ${JSON.stringify(json)}`);
    return json.access_token;
  }

  return {
    url,
    store,
    directory,
    internalErrors,
    async createOrg(name, options = {}) {
      const org = await directory.createOrg({ name });
      for (const domain of options.domains ?? []) await directory.claimDomain(org.id, domain, 'cli:test');
      const { clientId, clientSecret } = await createOrgClient(store, { orgId: org.id, name: `${name} client`, ...(options.scopes ? { scopes: options.scopes } : {}) });
      return { orgId: org.id, clientId, clientSecret, token: await fetchToken(clientId, clientSecret) };
    },
    fetchToken,
    scim: (token, method, path, body, headers) => request('/scim/v2', token, method, path, body, headers),
    admin: (token, method, path, body, headers) => request('/ims/admin/v1', token, method, path, body, headers),
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
      await store[Symbol.asyncDispose]();
    },
  };
}

/** A SCIM User body as RFC 7643 §8.1 (minimal representation) writes one. */
export function userBody(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, emails: [{ value: userName, type: 'work', primary: true }], ...extra };
}

export function groupBody(displayName: string, subscriptionId: string, members: string[] = []): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'urn:rehome:params:scim:schemas:extension:ims:2.0:Group'],
    displayName,
    members: members.map((value) => ({ value })),
    'urn:rehome:params:scim:schemas:extension:ims:2.0:Group': { subscriptionId },
  };
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
