import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStoreImsDirectory } from '../../../ims/directory/store-ims-directory.ts';
import type { IdentityProvider, IdpBatchResult, IdpUser, NewIdpUser } from '../../../ports/identity-provider.ts';
import { openStore, type StoreAdapter } from '../../../app/rehome-store.ts';
import { createEmbeddedIdp } from './embedded-idp.ts';

const ORG = 'org-batch';

/** The same directory twice: one side is driven one item at a time, the other in bulk. */
async function seeded(store: StoreAdapter): Promise<IdentityProvider> {
  const dir = createStoreImsDirectory(store);
  await dir.createOrg({ id: ORG, name: 'Batch Org' });
  await dir.claimDomain(ORG, 'corp.test', 'test');
  await dir.createAccount({ id: 'seed-verified', email: 'v@home.test', emailVerified: true });
  await dir.createAccount({ id: 'seed-pending', email: 'pend@home.test' });
  await dir.createAccount({ id: 'seed-member', email: 'mem@home.test', emailVerified: true });
  await dir.addOrgMember(ORG, 'seed-member');
  await dir.createAccount({ id: 'seed-owned', email: 'own@corp.test', type: 'enterprise', orgId: ORG });
  await dir.createAccount({ id: 'seed-twin-1', email: 'twin@home.test', emailVerified: true, userName: 'twin1' });
  await dir.createAccount({ id: 'seed-twin-2', email: 'twin@home.test', emailVerified: true, type: 'enterprise', orgId: ORG, userName: 'twin2' });
  const idp = createEmbeddedIdp({ directory: dir, orgId: ORG, issuer: 'http://127.0.0.1:1/ims' });
  await idp.createUser({ externalId: 'e5', email: 'five@home.test', firstName: 'F', lastName: 'Ive' });
  return idp;
}

const inputs: NewIdpUser[] = [
  { externalId: 'e1', email: 'p1@home.test', firstName: 'P', lastName: 'One' },
  { externalId: 'e2', email: 'e1@corp.test', firstName: 'E', lastName: 'One' },
  { externalId: 'e3', email: 'V@home.test', firstName: 'V', lastName: 'Erified' },
  { externalId: 'e4', email: 'pend@home.test', firstName: 'P', lastName: 'End' },
  { externalId: 'e5', email: 'five@home.test', firstName: 'F', lastName: 'Ive' },
  { externalId: 'e6', email: 'mem@home.test', firstName: 'M', lastName: 'Em' },
  { externalId: 'e7', email: 'broken', firstName: 'B', lastName: 'Roken' },
  { externalId: 'e8', email: 'own@corp.test', firstName: 'O', lastName: 'Wn' },
  { externalId: 'e9', email: 'x@home.test', firstName: 'X', lastName: 'X', type: 'enterprise' },
  { externalId: 'e1', email: 'p1@home.test', firstName: 'P', lastName: 'One' },
];

function summary(r: IdpBatchResult<IdpUser | undefined>): unknown {
  if (!r.ok) return r.error.code;
  const u = r.value;
  return u && { id: u.id.startsWith('seed-') ? u.id : 'new', externalId: u.externalId, type: u.type, emailVerified: u.emailVerified, active: u.active };
}

async function settleAll<T>(calls: (() => Promise<T>)[]): Promise<IdpBatchResult<T>[]> {
  const out: IdpBatchResult<T>[] = [];
  for (const call of calls) {
    try {
      out.push({ ok: true, value: await call() });
    } catch (error) {
      out.push({ ok: false, error: error as never });
    }
  }
  return out;
}

test('embedded bulk methods answer exactly as the one-item methods, item by item', async () => {
  await using one = await openStore({ kind: 'sqlite', path: ':memory:' });
  await using many = await openStore({ kind: 'sqlite', path: ':memory:' });
  const single = await seeded(one);
  const bulk = await seeded(many);

  const created1 = await settleAll(inputs.map((input) => () => single.createUser(input)));
  const created2 = await bulk.createUsers!(inputs);
  assert.deepEqual(created2.map(summary), created1.map(summary));
  assert.deepEqual(created2.map(summary).slice(0, 4), [
    { id: 'new', externalId: 'e1', type: 'personal', emailVerified: false, active: true },
    { id: 'new', externalId: 'e2', type: 'enterprise', emailVerified: false, active: true },
    { id: 'seed-verified', externalId: 'e3', type: 'personal', emailVerified: true, active: true },
    // an unverified sign-up reserves nothing: it is cancelled and the org's account created
    { id: 'new', externalId: 'e4', type: 'personal', emailVerified: false, active: true },
  ]);
  assert.equal(created2[9]!.ok && created2[0]!.ok && created2[9].value.id === created2[0].value.id, true, 'a repeated externalId is one account');

  const ids = ['e1', 'e2', 'e3', 'nope'];
  const found1 = await Promise.all(ids.map((externalId) => single.findUser({ externalId })));
  assert.deepEqual((await bulk.findUsersByExternalIds!(ids)).map(summary), found1.map((u) => summary({ ok: true, value: u })));

  const emails = ['v@home.test', 'twin@home.test', 'pend@home.test', 'broken', 'mem@home.test', 'nobody@home.test'];
  const byEmail1 = await settleAll(emails.map((email) => () => single.findUser({ email })));
  const byEmail2 = await bulk.findUsersByEmails!(emails);
  assert.deepEqual(byEmail2.map(summary), byEmail1.map(summary));
  assert.equal(byEmail2[1]!.ok, false, 'two verified accounts share the address: ambiguous');

  const links = [{ userId: 'seed-twin-1', externalId: 'l1' }, { userId: 'seed-verified', externalId: 'e3' }, { userId: 'seed-verified', externalId: 'l2' }, { userId: 'seed-owned', externalId: 'l3' }, { userId: 'missing', externalId: 'l4' }];
  const linked1 = await settleAll(links.map((l) => () => single.linkUser(l.userId, l.externalId)));
  const linked2 = await bulk.linkUsers!(links);
  assert.deepEqual(linked2.map(summary), linked1.map(summary));
});

test('linkExisting: false never links an existing account, one by one or in bulk (a migration carrying out its plan)', async () => {
  await using one = await openStore({ kind: 'sqlite', path: ':memory:' });
  await using many = await openStore({ kind: 'sqlite', path: ':memory:' });
  const single = await seeded(one);
  const bulk = await seeded(many);
  const strict: NewIdpUser[] = [
    { externalId: 's1', email: 'v@home.test', firstName: 'V', lastName: 'Erified', linkExisting: false, type: 'personal' },
    { externalId: 's2', email: 'own@corp.test', firstName: 'O', lastName: 'Wn', linkExisting: false, type: 'enterprise' },
    { externalId: 's3', email: 'fresh@home.test', firstName: 'F', lastName: 'Resh', linkExisting: false, type: 'personal' },
    { externalId: 's4', email: 'fresh@home.test', firstName: 'F', lastName: 'Resh', linkExisting: false, type: 'enterprise' },
  ];
  const created1 = await settleAll(strict.map((input) => () => single.createUser(input)));
  const created2 = await bulk.createUsers!(strict);
  assert.deepEqual(created2.map(summary), created1.map(summary));
  assert.deepEqual(created2.map(summary), ['exists', 'exists', { id: 'new', externalId: 's3', type: 'personal', emailVerified: false, active: true }, 'type_mismatch']);
});
