/**
 * The IdentityProvider contract: every adapter must pass it (STYLE.md rule 19). Fixtures go straight into the
 * embedded IMS directory behind the adapter (in process for `embedded`, behind SCIM for `external`), so every case
 * can check the IdP's real state: one account per externalId, membership without duplicates, nothing verified that
 * nobody proved.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImsDirectoryService } from '../../src/ims/directory/ims-directory.ts';
import { isIdpError, type IdentityProvider } from '../../src/ports/identity-provider.ts';

export interface IdpContractSubject {
  idp: IdentityProvider;
  /** The IMS behind the adapter, for fixtures and for checking its state. */
  directory: ImsDirectoryService;
  orgId: string;
  /** A domain the org claimed: users created there are `enterprise` accounts the org owns. */
  domain: string;
  /** Requests in flight as seen on the wire, when there is a wire. */
  wire?: { reset(): void; maxInFlight(): number; concurrency: number };
  close(): Promise<void>;
}

export function runIdpContract(name: string, make: () => Promise<IdpContractSubject>): void {
  describe(`IdentityProvider contract: ${name}`, () => {
    let s: IdpContractSubject;
    let n = 0;
    const run = Math.random().toString(36).slice(2, 8);
    /** A fresh product user id and email for each use. */
    const fresh = (label: string) => {
      n++;
      return { externalId: `pu-${run}-${label}-${n}`, email: `${label}.${run}.${n}@${s.domain}`, firstName: 'Ada', lastName: `L${n}` };
    };
    const accountsWithExternalId = async (externalId: string) =>
      (await s.directory.listOrgAccounts(s.orgId, { filter: { op: 'eq', attr: 'externalId', value: externalId } })).total;
    /** An account put into the org behind the adapter's back, verified or not. */
    const fixtureAccount = async (label: string, verified: boolean, type: 'enterprise' | 'personal' = 'enterprise') => {
      const f = fresh(label);
      const email = type === 'personal' ? f.email.replace(`@${s.domain}`, '@mail.example') : f.email;
      const account = await s.directory.createAccount({ email, type, orgId: s.orgId });
      if (verified) await s.directory.verifyEmail(account.id, email);
      return { ...f, email, id: account.id };
    };

    before(async () => {
      s = await make();
    });
    after(async () => {
      await s.close();
    });

    test('createUser is idempotent on externalId, also when the same user is created in parallel', async () => {
      const input = fresh('create');
      const first = await s.idp.createUser(input);
      assert.equal(first.externalId, input.externalId);
      assert.equal(first.email, input.email);
      assert.equal(first.emailVerified, false, 'a created account is never verified');
      assert.equal(first.active, true);
      const again = await s.idp.createUser({ ...input, firstName: 'Changed' });
      assert.equal(again.id, first.id);
      const parallel = fresh('parallel');
      const results = await Promise.all(Array.from({ length: 5 }, () => s.idp.createUser(parallel)));
      assert.equal(new Set(results.map((u) => u.id)).size, 1);
      assert.equal(await accountsWithExternalId(input.externalId), 1);
      assert.equal(await accountsWithExternalId(parallel.externalId), 1);
    });

    test('findUser: by externalId first, then by verified email only', async () => {
      const created = await s.idp.createUser(fresh('find'));
      assert.equal((await s.idp.findUser({ externalId: created.externalId! }))?.id, created.id);
      assert.equal(await s.idp.findUser({ email: created.email }), undefined, 'the created account is unverified');
      assert.equal(await s.idp.findUser({ externalId: `${created.externalId}-nobody` }), undefined);

      const unverified = await fixtureAccount('pending', false);
      assert.equal(await s.idp.findUser({ email: unverified.email }), undefined);
      assert.equal(await s.idp.findUser({ externalId: 'none', email: unverified.email.toUpperCase() }), undefined);
      await s.directory.verifyEmail(unverified.id, unverified.email);
      const found = await s.idp.findUser({ externalId: 'none', email: unverified.email });
      assert.equal(found?.id, unverified.id);
      assert.equal(found?.emailVerified, true);
      assert.equal(found?.externalId, null);
    });

    test('linkUser links a verified account to a product user, idempotently, and refuses a second product user', async () => {
      const account = await fixtureAccount('link', true);
      const linked = await s.idp.linkUser(account.id, account.externalId);
      assert.equal(linked.externalId, account.externalId);
      assert.equal((await s.idp.linkUser(account.id, account.externalId)).id, account.id);
      assert.equal((await s.idp.findUser({ externalId: account.externalId }))?.id, account.id);
      await assert.rejects(s.idp.linkUser(account.id, `${account.externalId}-other`), (e) => isIdpError(e, 'conflict') && !e.retryable);
    });

    test('updateUser changes names and active, and never verifies a changed email', async () => {
      const created = await s.idp.createUser(fresh('update'));
      const renamed = await s.idp.updateUser(created.id, { firstName: 'Grace', lastName: 'Hopper' });
      assert.equal(renamed.id, created.id);
      const account = await s.directory.getAccount(created.id);
      assert.deepEqual([account?.firstName, account?.lastName], ['Grace', 'Hopper']);
      assert.equal((await s.idp.updateUser(created.id, { active: false })).active, false);
      assert.equal((await s.idp.updateUser(created.id, { active: true })).active, true);
      const moved = await s.idp.updateUser(created.id, { email: `moved.${created.email}` });
      assert.equal(moved.emailVerified, false);
    });

    test('product profile: ensured once per subscription; membership add and remove are idempotent, in batches', async () => {
      const subscriptionId = `sub-${run}`;
      const profile = await s.idp.ensureProductProfile({ subscriptionId, name: 'Marketing Cloud (production)' });
      assert.equal((await s.idp.ensureProductProfile({ subscriptionId, name: 'Marketing Cloud (production)' })).id, profile.id);
      const users = await Promise.all(Array.from({ length: 23 }, () => s.idp.createUser(fresh('member'))));
      const ids = users.map((u) => u.id);
      await s.idp.addProfileMembers(profile.id, ids);
      await s.idp.addProfileMembers(profile.id, [...ids.slice(0, 5), ...ids.slice(0, 5)]);
      let stored = await s.directory.getProfile(s.orgId, profile.id);
      assert.deepEqual([...stored!.members].sort(), [...ids].sort());
      await s.idp.removeProfileMembers(profile.id, ids.slice(0, 12));
      await s.idp.removeProfileMembers(profile.id, ids.slice(0, 12));
      await s.idp.removeProfileMembers(profile.id, [ids[0]!, ids[20]!]);
      stored = await s.directory.getProfile(s.orgId, profile.id);
      assert.deepEqual([...stored!.members].sort(), ids.slice(12).filter((id) => id !== ids[20]).sort());
      const profiles = await s.directory.listProfiles(s.orgId, { filter: { op: 'eq', attr: 'subscriptionId', value: subscriptionId } });
      assert.equal(profiles.total, 1);
    });

    test('unlinkUser removes the link (and the membership) and is idempotent', async () => {
      const profile = await s.idp.ensureProductProfile({ subscriptionId: `sub-unlink-${run}`, name: 'Sandbox' });
      const created = await s.idp.createUser(fresh('unlink'));
      await s.idp.addProfileMembers(profile.id, [created.id]);
      assert.equal(await s.idp.unlinkUser(created.externalId!), true);
      assert.equal(await s.idp.findUser({ externalId: created.externalId! }), undefined);
      assert.deepEqual((await s.directory.getProfile(s.orgId, profile.id))?.members, []);
      assert.equal(await s.idp.unlinkUser(created.externalId!), false);

      // A person's own account survives: only its membership ends.
      const personal = await fixtureAccount('own', true, 'personal');
      await s.idp.linkUser(personal.id, personal.externalId);
      assert.equal(await s.idp.unlinkUser(personal.externalId), true);
      assert.equal(await accountsWithExternalId(personal.externalId), 0);
      assert.equal((await s.directory.getAccount(personal.id))?.emailVerified, true, 'the personal account itself survives');
    });

    test('4xx answers surface as clear, non-retryable IdpErrors naming the operation', async () => {
      await assert.rejects(s.idp.updateUser('00000000-0000-4000-8000-000000000000', { firstName: 'X' }), (e) => {
        assert.ok(isIdpError(e, 'not_found'), String(e));
        assert.equal(e.retryable, false);
        assert.match(e.message, /^updateUser/);
        return true;
      });
      await assert.rejects(s.idp.createUser({ ...fresh('bad'), email: 'not-an-email' }), (e) => {
        assert.ok(isIdpError(e, 'invalid_request'), String(e));
        assert.equal(e.retryable, false);
        assert.match(e.message, /^createUser/);
        return true;
      });
      const taken = fresh('taken');
      await s.idp.createUser(taken);
      await assert.rejects(s.idp.createUser({ ...fresh('taken2'), userName: taken.email }), (e) => isIdpError(e, 'conflict') && !e.retryable);
    });

    test('describe names the issuer and the limits', () => {
      const d = s.idp.describe();
      assert.match(d.issuer, /^https?:\/\//);
      assert.ok(d.limits.batchSize >= 1);
      assert.ok(d.limits.concurrency >= 1);
    });

    test('the concurrency bound holds on the wire', async (t) => {
      if (!s.wire) {
        t.skip('in process: no wire to count');
        return;
      }
      s.wire.reset();
      const inputs = Array.from({ length: 24 }, () => fresh('burst'));
      await Promise.all(inputs.map((input) => s.idp.createUser(input)));
      await Promise.all(inputs.map((input) => s.idp.findUser({ externalId: input.externalId })));
      const peak = s.wire.maxInFlight();
      assert.ok(peak <= s.wire.concurrency, `peak ${peak} in flight exceeds the bound ${s.wire.concurrency}`);
      assert.ok(peak > 1, `requests were not parallel at all (peak ${peak})`);
      for (const input of inputs) assert.equal(await accountsWithExternalId(input.externalId), 1);
    });
  });
}
