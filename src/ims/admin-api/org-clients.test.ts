import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../../../test/e2e/support/test-databases.ts';
import type { StoreAdapter } from '../../store/open-store.ts';
import { createStoreImsDirectory } from '../directory/store-ims-directory.ts';
import { createAccessTokens } from './access-tokens.ts';
import { isAdminError } from './admin-error.ts';
import { authenticateOrgClient, createOrgClient, listOrgClients, revokeOrgClient } from './org-clients.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`org API clients and access tokens on ${kind}`, () => {
    let database: TestDatabase;
    let store: StoreAdapter;
    before(async () => {
      database = kind === 'sqlite' ? sqliteTestDatabase('orgclients') : await postgresTestDatabase('orgclients');
      store = await database.open();
    });
    after(async () => {
      await store[Symbol.asyncDispose]();
      await database.drop();
    });

    test('a client authenticates with its secret only; the secret is not stored', async () => {
      const org = await createStoreImsDirectory(store).createOrg({ name: 'Acme' });
      const { clientId, clientSecret } = await createOrgClient(store, { orgId: org.id, name: 'Okta' });
      assert.equal((await authenticateOrgClient(store, clientId, clientSecret))?.orgId, org.id);
      assert.equal(await authenticateOrgClient(store, clientId, `${clientSecret}x`), undefined);
      assert.equal(await authenticateOrgClient(store, 'rhc_unknown', clientSecret), undefined);
      const rows = await store.kysely.selectFrom('admin_org_clients').selectAll().execute();
      assert.ok(!JSON.stringify(rows).includes(clientSecret));
      assert.deepEqual((await listOrgClients(store, org.id)).map((c) => c.name), ['Okta']);
      await assert.rejects(createOrgClient(store, { orgId: 'no-such-org', name: 'x' }), (e) => isAdminError(e, 'not_found'));
    });

    test('tokens verify across instances (keys live in the store) and stop when the client is revoked', async () => {
      const org = await createStoreImsDirectory(store).createOrg({ name: 'Beta' });
      const { clientId, clientSecret } = await createOrgClient(store, { orgId: org.id, name: 'HR', scopes: ['scim'] });
      const client = (await authenticateOrgClient(store, clientId, clientSecret))!;
      const { accessToken } = await createAccessTokens(store).issue(client, ['scim']);
      const elsewhere = createAccessTokens(store);
      assert.deepEqual(await elsewhere.verify(accessToken), { orgId: org.id, clientId, scopes: ['scim'] });
      await elsewhere.keys.rotate();
      assert.ok(await elsewhere.verify(accessToken), 'an older key still verifies after rotation');
      await revokeOrgClient(store, clientId);
      assert.equal(await elsewhere.verify(accessToken), undefined);
    });
  });
}
