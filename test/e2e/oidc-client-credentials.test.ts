import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as oidc from 'openid-client';
import type { RunningServer } from '../../src/server/http-server.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { PUBLIC_RP, RP, startTestServer } from './support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from './support/test-databases.ts';

const SCIM_CLIENT = { clientId: 'acme-scim', clientSecret: 'acme-scim-secret-0123456789abcdef' };
let database: TestDatabase;
let store: StoreAdapter;
let server: RunningServer;

before(async () => {
  database = sqliteTestDatabase('client-credentials');
  store = await database.open();
  server = await startTestServer(store, {
    clients: [
      { clientId: RP.clientId, clientSecret: RP.clientSecret, redirectUris: [RP.redirectUri], firstParty: true },
      { clientId: PUBLIC_RP.clientId, redirectUris: [PUBLIC_RP.redirectUri] },
      { ...SCIM_CLIENT, redirectUris: [], grantTypes: ['client_credentials'], allowedScopes: ['scim'], orgId: 'org-acme' },
    ],
  });
});

after(async () => {
  await server.close();
  await store[Symbol.asyncDispose]();
  await database.drop();
});

test('a machine client gets a client-credentials token the IMS can verify, tied to its org', async () => {
  const config = await oidc.discovery(new URL(`${server.url}/ims`), SCIM_CLIENT.clientId, SCIM_CLIENT.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const tokens = await oidc.clientCredentialsGrant(config, { scope: 'scim' });
  assert.deepEqual(await server.ims.oidc.verifyClientToken(tokens.access_token), { clientId: 'acme-scim', scopes: ['scim'], orgId: 'org-acme' });
  assert.equal(await server.ims.oidc.verifyClientToken('not-a-token'), undefined);
  await assert.rejects(oidc.clientCredentialsGrant(config, { scope: 'ims_admin' }), 'a scope the client was not allowed');
});
