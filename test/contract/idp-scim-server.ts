/**
 * The embedded IMS's SCIM 2.0 service and its OAuth token endpoint on one real HTTP server on 127.0.0.1, with one
 * organization (a claimed domain) and an org API client: what the external IdP adapter's contract runs against.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAccessTokens, createBearerAuthenticator } from '../../src/ims/admin-api/access-tokens.ts';
import { createOrgClient } from '../../src/ims/admin-api/org-clients.ts';
import { createTokenEndpoint, TOKEN_PATH } from '../../src/ims/admin-api/token-endpoint.ts';
import type { ImsDirectoryService } from '../../src/ims/directory/ims-directory.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { createScimHandler } from '../../src/ims/scim/scim-handler.ts';
import { sqliteTestDatabase } from '../e2e/support/test-databases.ts';

export interface ImsScimServer {
  origin: string;
  tokenPath: string;
  directory: ImsDirectoryService;
  orgId: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export interface ImsScimServerOptions {
  /** SCIM Bulk limits, or false for a server without Bulk (501); default: the handler's default limits. */
  bulk?: false | { maxOperations: number; maxPayloadSize: number };
}

export async function startImsScimServer(label: string, options: ImsScimServerOptions = {}): Promise<ImsScimServer> {
  const database = sqliteTestDatabase(label);
  const store = await database.open();
  const directory = createStoreImsDirectory(store);
  const org = await directory.createOrg({ name: 'Contract Org' });
  const domain = `${label}.corp.test`;
  await directory.claimDomain(org.id, domain, 'cli:contract-test');
  const { clientId, clientSecret } = await createOrgClient(store, { orgId: org.id, name: 'rehome contract', scopes: ['scim'] });
  const tokens = createAccessTokens(store);
  const tokenEndpoint = createTokenEndpoint({ store, tokens });
  const scim = createScimHandler({
    directory,
    authenticate: createBearerAuthenticator(tokens),
    onError: (e) => console.error('scim 500', e),
    ...(options.bulk === undefined ? {} : { bulk: options.bulk }),
  });
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (await tokenEndpoint(req, res)) return;
      if (await scim(req, res)) return;
      res.writeHead(404).end();
    })().catch((error) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    tokenPath: TOKEN_PATH,
    directory,
    orgId: org.id,
    domain,
    clientId,
    clientSecret,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store[Symbol.asyncDispose]();
      await database.drop();
    },
  };
}

/** The Group attribute the embedded IMS keys product profiles on. */
export const IMS_PROFILE_KEY = 'urn:rehome:params:scim:schemas:extension:ims:2.0:Group:subscriptionId';
