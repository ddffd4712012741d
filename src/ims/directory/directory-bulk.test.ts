import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../../../test/e2e/support/test-databases.ts';
import type { StoreAdapter } from '../../store/open-store.ts';
import type { BulkResult } from './ims-directory.ts';
import { createStoreImsDirectory } from './store-ims-directory.ts';

const codes = <T>(results: BulkResult<T>[]) => results.map((r) => (r.ok ? 'ok' : r.error.code));

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`IMS directory bulk methods on ${kind}`, () => {
    let database: TestDatabase;
    let store: StoreAdapter;
    before(async () => {
      database = kind === 'sqlite' ? sqliteTestDatabase('imsbulk') : await postgresTestDatabase('imsbulk');
      store = await database.open();
    });
    after(async () => {
      await store[Symbol.asyncDispose]();
      await database.drop();
    });
    const dir = () => createStoreImsDirectory(store);

    test('createAccounts: the rules of createAccount per item, against the store and the earlier items', async () => {
      await dir().createAccount({ email: 'taken@bulk.test', emailVerified: true });
      const results = await dir().createAccounts([
        { email: 'one@bulk.test' },
        { email: 'taken@bulk.test', userName: 'other-name' }, // unverified: may share the address
        { email: 'taken@bulk.test', userName: 'third', emailVerified: true }, // a second verified personal account
        { email: 'ONE@bulk.test' }, // userName (the address) taken by the first item
        { email: 'not-an-address' },
        { email: 'x@bulk.test', type: 'enterprise' }, // needs an owner
        { email: 'y@bulk.test', orgId: 'no-such-org' },
      ]);
      assert.deepEqual(codes(results), ['ok', 'ok', 'email_taken', 'account_exists', 'email_refused', 'invalid_input', 'not_found']);
      assert.equal((await dir().findAccountsByEmail('taken@bulk.test')).length, 2);
      const first = results[0]!;
      assert.ok(first.ok);
      assert.deepEqual(await dir().getAccount(first.value.id), first.value);
      assert.match(first.value.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a time-ordered UUID (v7)');
      const again = await dir().createAccounts([{ email: 'z@bulk.test', id: first.value.id }]);
      assert.deepEqual(codes(again), ['account_exists']);
    });

    test('createOrgAccounts: members with their externalId, owned unless personal, never verified', async () => {
      const org = await dir().createOrg({ name: 'Bulk Org' });
      const results = await dir().createOrgAccounts(org.id, [
        { email: 'ann@corp.bulk', type: 'enterprise', externalId: 'u1', firstName: 'Ann' },
        { email: 'bob@home.bulk', type: 'personal', externalId: 'u2' },
        { email: 'cid@corp.bulk', type: 'enterprise', externalId: 'u1' }, // externalId used by the first item
      ]);
      assert.deepEqual(codes(results), ['ok', 'ok', 'external_id_exists']);
      const ann = (await dir().findOrgAccountByExternalId(org.id, 'u1'))!;
      assert.equal(ann.ownerOrgId, org.id);
      assert.equal(ann.emailVerified, false);
      assert.equal(ann.firstName, 'Ann');
      const bob = (await dir().findOrgAccountByExternalId(org.id, 'u2'))!;
      assert.equal(bob.ownerOrgId, null);
      assert.deepEqual(results[1]!.ok && { ...results[1].value, joinedAt: bob.joinedAt }, bob);
      assert.deepEqual(codes(await dir().createOrgAccounts(org.id, [{ email: 'dan@corp.bulk', type: 'enterprise', externalId: 'u2' }])), ['external_id_exists']);
      const found = await dir().findOrgAccountsByExternalIds(org.id, ['u1', 'u2', 'u9']);
      assert.deepEqual(found.map((a) => a.externalId).sort(), ['u1', 'u2']);
      assert.deepEqual((await dir().getOrgAccounts(org.id, [ann.id, 'nobody'])).map((a) => a.id), [ann.id]);
      const byEmail = await dir().findAccountsByEmails(['ANN@corp.bulk', 'bob@home.bulk', 'broken']);
      assert.deepEqual(byEmail.map((a) => a.id).sort(), [ann.id, bob.id].sort());
    });

    test('addOrgMembers: join, keep, re-key, and refuse per item', async () => {
      const org = await dir().createOrg({ name: 'Members Org' });
      const a = await dir().createAccount({ email: 'a@members.bulk' });
      const b = await dir().createAccount({ email: 'b@members.bulk' });
      const c = await dir().createAccount({ email: 'c@members.bulk' });
      await dir().addOrgMember(org.id, b.id, { externalId: null });
      await dir().addOrgMember(org.id, c.id, { externalId: 'held' });
      const results = await dir().addOrgMembers(org.id, [
        { accountId: a.id, externalId: 'ext-a' },
        { accountId: b.id, externalId: 'ext-b' },
        { accountId: c.id, externalId: 'held' },
        { accountId: 'missing', externalId: 'ext-m' },
        { accountId: a.id, externalId: 'held' },
      ]);
      assert.deepEqual(codes(results), ['ok', 'ok', 'ok', 'not_found', 'external_id_exists']);
      assert.equal((await dir().getOrgAccount(org.id, a.id))?.externalId, 'ext-a');
      const bAfter = (await dir().getOrgAccount(org.id, b.id))!;
      assert.equal(bAfter.externalId, 'ext-b');
      assert.equal(bAfter.version, b.version + 1, 'a new externalId is a new version, as with addOrgMember');
      assert.equal((await dir().getOrgAccount(org.id, c.id))?.version, (await dir().getAccount(c.id))?.version);
    });

    test('grantProfileMembers: idempotent, members only, version bumps only on change', async () => {
      const org = await dir().createOrg({ name: 'Grant Org' });
      const made = await dir().createOrgAccounts(org.id, [1, 2, 3].map((i) => ({ email: `g${i}@grant.bulk`, type: 'personal' as const, externalId: `g${i}` })));
      const ids = made.map((r) => (r.ok ? r.value.id : ''));
      const outsider = await dir().createAccount({ email: 'out@grant.bulk' });
      const profile = await dir().createProfile(org.id, { name: 'P', subscriptionId: 'SUB-1', members: [ids[0]!] });
      assert.deepEqual(await dir().grantProfileMembers(org.id, profile.id, ids), { added: 2 });
      assert.deepEqual(await dir().grantProfileMembers(org.id, profile.id, [...ids, ids[1]!]), { added: 0 });
      const after = (await dir().getProfile(org.id, profile.id))!;
      assert.deepEqual(after.members, [...ids].sort());
      assert.equal(after.version, profile.version + 1);
      await assert.rejects(dir().grantProfileMembers(org.id, profile.id, [outsider.id]), (e: { code?: string }) => e.code === 'invalid_input');
      await assert.rejects(dir().grantProfileMembers(org.id, 'nope', ids), (e: { code?: string }) => e.code === 'not_found');
    });
  });
}
