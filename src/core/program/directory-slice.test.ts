import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ImsAccount, ProductUser, Subscription } from '../model.ts';
import { imsAccount, productUser, subscription } from '../testing/builders.ts';
import { planReadiness } from '../readiness/plan-readiness.ts';
import { accountForOrg, addUserToSlice, createSliceRequest, directoryKey, managedDomainOf } from './directory-slice.ts';

/** The slice as the fleet import takes it (src/app/actions/program.ts does this with an index on disk). */
function sliceOf(directory: readonly ImsAccount[], users: readonly ProductUser[], sub: Subscription): ImsAccount[] {
  const request = createSliceRequest();
  for (const u of users) addUserToSlice(request, u, sub);
  const firstManaged = new Map<string, ImsAccount>();
  for (const a of directory) {
    const d = managedDomainOf(a);
    if (d !== undefined && !firstManaged.has(d)) firstManaged.set(d, a);
  }
  const wanted = new Set([...request.domains].flatMap((d) => firstManaged.get(d) ?? []));
  return directory.filter((a) => wanted.has(a) || request.keys.has(directoryKey(a.email) ?? '')).map((a) => accountForOrg(a, sub.imsOrg.claimedDomains));
}

/** The whole export, as `rehome import` reads it for this subscription (its organization's claims verify its IDs). */
const wholeFor = (directory: readonly ImsAccount[], sub: Subscription) => directory.map((a) => accountForOrg(a, sub.imsOrg.claimedDomains));

const SUB = subscription({ admins: ['1'], imsOrg: { id: 'ORG1', name: 'Acme', claimedDomains: ['acme.example'], ssoConfigured: false } });

test('a slice decides every user as the whole export does, and is much smaller', () => {
  const users = [
    productUser({ id: '1', email: 'ada@acme.example' }),
    productUser({ id: '2', email: 'Bob@Gmail.com' }),
    productUser({ id: '3', email: 'cy@gmail.com' }),
    productUser({ id: '4', email: 'di@partner.example' }),
    productUser({ id: '5', email: 'ed@elsewhere.example' }),
    productUser({ id: '6', email: 'not an address' }),
  ];
  const directory = [
    imsAccount({ email: 'ada@acme.example', type: 'enterprise', emailVerified: false }), // verified by the claim
    imsAccount({ email: 'bob@gmail.com' }),
    imsAccount({ email: 'cy@gmail.com' }), imsAccount({ id: 'cy-2', email: 'CY@gmail.com' }), // ambiguous
    imsAccount({ email: 'someone@partner.example', type: 'federated' }), // partner.example is managed elsewhere
    imsAccount({ email: 'other@partner.example', type: 'federated' }),
    ...Array.from({ length: 50 }, (_, i) => imsAccount({ email: `x${i}@unrelated.example` })),
  ];
  const slice = sliceOf(directory, users, SUB);
  assert.deepEqual(slice.map((a) => a.email), ['ada@acme.example', 'bob@gmail.com', 'cy@gmail.com', 'CY@gmail.com', 'someone@partner.example']);
  assert.equal(slice[0]!.emailVerified, true);
  const whole = planReadiness({ subscriptions: [{ subscription: SUB, users }], ims: { accounts: wholeFor(directory, SUB) } });
  assert.deepEqual(planReadiness({ subscriptions: [{ subscription: SUB, users }], ims: { accounts: slice } }), whole);
  const codes = Object.fromEntries(whole.users.map((u) => [u.id, u.reasons.map((r) => r.code)]));
  assert.ok(codes['3']!.includes('ambiguous_ims_match'));
  assert.ok(codes['4']!.includes('domain_claimed_elsewhere'));
});

test('an account of another organization stays unverified in this slice (claims are per organization)', () => {
  const other = subscription({ imsOrg: { id: 'ORG2', name: 'Other', claimedDomains: ['other.example'], ssoConfigured: false } });
  const a = imsAccount({ email: 'x@acme.example', type: 'enterprise', emailVerified: false });
  assert.equal(accountForOrg(a, SUB.imsOrg.claimedDomains).emailVerified, true);
  assert.equal(accountForOrg(a, other.imsOrg.claimedDomains).emailVerified, false);
  assert.equal(accountForOrg({ ...a, type: 'personal' }, SUB.imsOrg.claimedDomains).emailVerified, false);
});

// Few names and domains, so that addresses collide, differ only in case, and land in managed domains.
const local = fc.constantFrom('ann', 'Ann', 'ANN', 'bo', 'b.o', 'cy+x', 'dee');
const domain = fc.constantFrom('acme.example', 'ACME.example', 'gmail.com', 'partner.example', 'solo.example');
const address = fc.oneof({ weight: 9, arbitrary: fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`) }, { weight: 1, arbitrary: fc.constantFrom('', 'no-at', 'a@@b') });
const account = fc.record({
  email: address, type: fc.constantFrom<ImsAccount['type'][]>('personal', 'enterprise', 'federated'), emailVerified: fc.boolean(),
  status: fc.constantFrom<ImsAccount['status'][]>('active', 'disabled'), provisioned: fc.boolean(),
});
const user = fc.record({ email: address, emailVerified: fc.boolean(), sso: fc.boolean() });

test('property: for any directory and users, under either matching policy, the slice gives the whole export\'s readiness', () => {
  fc.assert(fc.property(fc.array(account, { maxLength: 25 }), fc.array(user, { minLength: 1, maxLength: 12 }), fc.boolean(), (accounts, us, caseFold) => {
    const directory = accounts.map((a, i) => imsAccount({
      id: `a${i}`, email: a.email, type: a.type, emailVerified: a.emailVerified, status: a.status,
      domain: (a.email.split('@').at(-1) ?? '').toLowerCase(), productConfigurations: a.provisioned ? ['All Apps'] : [],
    }));
    const users = us.map((u, i) => productUser({ id: String(i + 1), email: u.email, emailVerified: u.emailVerified, sso: u.sso }));
    const sub = { ...SUB, admins: ['1'] };
    const policy = { caseFoldLocalPart: caseFold };
    const whole = planReadiness({ subscriptions: [{ subscription: sub, users }], ims: { accounts: wholeFor(directory, sub) }, policy });
    const sliced = planReadiness({ subscriptions: [{ subscription: sub, users }], ims: { accounts: sliceOf(directory, users, sub) }, policy });
    assert.deepEqual(sliced, whole);
  }), { numRuns: 300 });
});
