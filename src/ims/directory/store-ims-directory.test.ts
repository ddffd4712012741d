import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../../../test/e2e/support/test-databases.ts';
import type { StoreAdapter } from '../../store/open-store.ts';
import { isImsError } from './ims-directory.ts';
import { createStoreImsDirectory } from './store-ims-directory.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`store IMS directory on ${kind}`, () => {
    let database: TestDatabase;
    let store: StoreAdapter;
    before(async () => {
      database = kind === 'sqlite' ? sqliteTestDatabase('imsdir') : await postgresTestDatabase('imsdir');
      store = await database.open();
    });
    after(async () => {
      await store[Symbol.asyncDispose]();
      await database.drop();
    });
    const dir = () => createStoreImsDirectory(store);

    test('accounts: create, look up case-insensitively, update with versions', async () => {
      const a = await dir().createAccount({ email: ' Ann@Example.COM ', firstName: 'Ann' });
      assert.equal(a.emailNormalized, 'ann@example.com');
      assert.equal(a.emailVerified, false);
      // stored and mailed in its delivery form: the local part as typed, the domain in lower-case A-labels
      assert.equal(a.email, 'Ann@example.com');
      assert.equal(a.userName, 'Ann@example.com');
      assert.equal((await dir().findAccountByUserName('ann@example.com'))?.id, a.id);
      await assert.rejects(dir().createAccount({ email: 'ann@example.com' }), (e) => isImsError(e, 'account_exists'));
      const b = await dir().updateAccount(a.id, { lastName: 'Lee' }, { expectedVersion: 1 });
      assert.equal(b.version, 2);
      await assert.rejects(dir().updateAccount(a.id, { lastName: 'X' }, { expectedVersion: 1 }), (e) => isImsError(e, 'version_mismatch'));
      assert.equal((await dir().getAccount(a.id))?.lastName, 'Lee');
    });

    test('an unverified sign-up never blocks the rightful owner, and loses when the owner verifies', async () => {
      const attacker = await dir().createAccount({ email: 'victim@corp.test', userName: 'attacker-pick' });
      const owner = await dir().createAccount({ email: 'victim@corp.test', userName: 'victim' });
      assert.equal((await dir().findAccountsByEmail('VICTIM@corp.test')).length, 2);
      const result = await dir().verifyEmail(owner.id, 'victim@corp.test');
      assert.deepEqual(result.invalidatedAccountIds, [attacker.id]);
      assert.equal(await dir().getAccount(attacker.id), undefined);
      assert.equal((await dir().findVerifiedAccount('victim@corp.test'))?.id, owner.id);
      const late = await dir().createAccount({ email: 'victim@corp.test', userName: 'late' });
      await assert.rejects(dir().verifyEmail(late.id, 'victim@corp.test'), (e) => isImsError(e, 'email_taken'));
    });

    test('orgs: domains, admins, SSO, membership and externalId are idempotent and isolated', async () => {
      const orgA = await dir().createOrg({ name: 'A' });
      const orgB = await dir().createOrg({ name: 'B' });
      await dir().claimDomain(orgA.id, 'A.example', 'cli:test');
      await dir().claimDomain(orgA.id, 'a.example', 'cli:test');
      await assert.rejects(dir().claimDomain(orgB.id, 'a.example', 'cli:test'), (e) => isImsError(e, 'domain_claimed'));
      assert.equal((await dir().findOrgByDomain('A.EXAMPLE'))?.id, orgA.id);
      await assert.rejects(
        dir().setSsoFederation(orgA.id, { domains: ['b.example'], issuer: 'https://idp.test', clientId: 'c', clientSecret: 's' }),
        (e) => isImsError(e, 'invalid_input'),
      );
      const withSso = await dir().setSsoFederation(orgA.id, { domains: ['a.example'], issuer: 'https://idp.test', clientId: 'c', clientSecret: 's' });
      assert.deepEqual(withSso.sso?.domains, ['a.example']);

      const e1 = await dir().createAccount({ email: 'e1@a.example', type: 'enterprise', orgId: orgA.id, externalId: 'u-1' });
      const again = await dir().addOrgMember(orgA.id, e1.id, { externalId: 'u-1' });
      assert.equal(again.externalId, 'u-1');
      await assert.rejects(
        dir().createAccount({ email: 'e2@a.example', type: 'enterprise', orgId: orgA.id, externalId: 'u-1' }),
        (e) => isImsError(e, 'external_id_exists'),
      );
      // The same externalId in another org is fine (unique per org).
      const e2 = await dir().createAccount({ email: 'e2@b.example', type: 'enterprise', orgId: orgB.id, externalId: 'u-1' });
      assert.equal((await dir().findOrgAccountByExternalId(orgA.id, 'u-1'))?.id, e1.id);
      assert.equal(await dir().getOrgAccount(orgA.id, e2.id), undefined);
      await assert.rejects(dir().updateOrgAccount(orgA.id, e2.id, { firstName: 'x' }), (e) => isImsError(e, 'not_found'));

      await dir().addOrgAdmin(orgA.id, e1.id);
      assert.deepEqual((await dir().addOrgAdmin(orgA.id, e1.id)).admins, [e1.id]);
      await assert.rejects(dir().addOrgAdmin(orgA.id, e2.id), (e) => isImsError(e, 'not_found'));

      const personal = await dir().createAccount({ email: 'p@elsewhere.test' });
      await dir().addOrgMember(orgA.id, personal.id);
      await assert.rejects(dir().updateOrgAccount(orgA.id, personal.id, { firstName: 'Mallory' }), (e) => isImsError(e, 'forbidden'));
      const linked = await dir().updateOrgAccount(orgA.id, personal.id, { externalId: 'u-9', firstName: '' });
      assert.equal(linked.externalId, 'u-9');
      assert.equal(linked.version, personal.version + 1);

      const page = await dir().listOrgAccounts(orgA.id, {
        filter: { op: 'or', filters: [{ op: 'sw', attr: 'userName', value: 'E1@' }, { op: 'eq', attr: 'externalId', value: 'u-9' }] },
      });
      assert.equal(page.total, 2);
      assert.deepEqual(page.items.map((a) => a.id).sort(), [e1.id, personal.id].sort());
      const co = await dir().listOrgAccounts(orgA.id, { filter: { op: 'co', attr: 'email', value: '%' } });
      assert.equal(co.total, 0, 'LIKE wildcards in values are escaped');
      const second = await dir().listOrgAccounts(orgA.id, { offset: 1, limit: 1 });
      assert.equal(second.total, 2);
      assert.equal(second.items.length, 1);
    });

    test('product profiles: members must belong to the org, changes are idempotent, claims list them', async () => {
      const org = await dir().createOrg({ name: 'P' });
      const other = await dir().createOrg({ name: 'Q' });
      const m = await dir().createAccount({ email: 'm@p.test', orgId: org.id });
      const outsider = await dir().createAccount({ email: 'o@p.test' });
      const profile = await dir().createProfile(org.id, { name: 'Marketing', subscriptionId: '123-ABC-456' });
      await assert.rejects(dir().addProfileMembers(org.id, profile.id, [outsider.id]), (e) => isImsError(e, 'invalid_input'));
      const once = await dir().addProfileMembers(org.id, profile.id, [m.id]);
      const twice = await dir().addProfileMembers(org.id, profile.id, [m.id]);
      assert.deepEqual(twice.members, [m.id]);
      assert.equal(twice.version, once.version);
      assert.equal(await dir().getProfile(other.id, profile.id), undefined);
      assert.deepEqual(await dir().listMemberships(m.id), [{ orgId: org.id, profileIds: [profile.id] }]);
      const list = await dir().listProfiles(org.id, { filter: { op: 'eq', attr: 'name', value: 'marketing' } });
      assert.equal(list.total, 1);
      await dir().removeOrgMember(org.id, m.id);
      assert.deepEqual((await dir().getProfile(org.id, profile.id))?.members, []);
      await dir().removeOrgMember(org.id, m.id);
    });
  });
}
