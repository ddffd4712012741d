import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sqliteTestDatabase, type TestDatabase } from '../../../test/e2e/support/test-databases.ts';
import type { StoreAdapter } from '../../store/open-store.ts';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';
import { createStoreImsDirectory } from '../directory/store-ims-directory.ts';
import { createStrategyRegistry, type StrategyRegistry } from './strategy-registry.ts';

let database: TestDatabase;
let store: StoreAdapter;
let directory: ImsDirectoryService;
let registry: StrategyRegistry;

before(async () => {
  database = sqliteTestDatabase('pwreg');
  store = await database.open();
  directory = createStoreImsDirectory(store);
  registry = createStrategyRegistry(store.kysely);
});

after(async () => {
  await store[Symbol.asyncDispose]();
  await database.drop();
});

test('set is idempotent and replaces; lazyTargetFor needs a lazy subscription and an externalId', async () => {
  const org = await directory.createOrg({ name: 'Org' });
  await registry.set({ subscriptionId: 'S-1', orgId: org.id, strategy: 'invite', actor: 't' });
  await registry.set({ subscriptionId: 'S-1', orgId: org.id, strategy: 'invite', actor: 't' });
  assert.deepEqual(await registry.get('S-1'), { orgId: org.id, strategy: 'invite' });
  const linked = await directory.createAccount({ email: 'a@x.example', orgId: org.id, externalId: 'p-1' });
  const unlinked = await directory.createAccount({ email: 'b@x.example', orgId: org.id });
  assert.equal(await registry.lazyTargetFor(linked.id), undefined, 'invite is not lazy');
  await registry.set({ subscriptionId: 'S-1', orgId: org.id, strategy: 'lazy', actor: 't' });
  assert.deepEqual(await registry.lazyTargetFor(linked.id), { subscriptionId: 'S-1', orgId: org.id, productUserId: 'p-1' });
  assert.equal(await registry.lazyTargetFor(unlinked.id), undefined, 'no product user to ask');
  assert.equal(await registry.get('S-unknown'), undefined);
  await assert.rejects(registry.set({ subscriptionId: 'S-2', orgId: org.id, strategy: 'magic' as never, actor: 't' }), TypeError);
});

test('two lazy subscriptions in one org: the one whose product profile holds the account wins', async () => {
  const org = await directory.createOrg({ name: 'Two subs' });
  await registry.set({ subscriptionId: 'PROD', orgId: org.id, strategy: 'lazy', actor: 't' });
  await registry.set({ subscriptionId: 'SANDBOX', orgId: org.id, strategy: 'lazy', actor: 't' });
  const account = await directory.createAccount({ email: 'c@x.example', orgId: org.id, externalId: 'p-9' });
  const profile = await directory.createProfile(org.id, { name: 'Sandbox', subscriptionId: 'SANDBOX' });
  await directory.addProfileMembers(org.id, profile.id, [account.id]);
  assert.equal((await registry.lazyTargetFor(account.id))?.subscriptionId, 'SANDBOX');
});
