import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planReadiness } from './plan-readiness.ts';
import { normalizeEmail } from '../email/normalize-email.ts';
import { imsAccount, productUser, subscription } from '../testing/builders.ts';
import type { ImsAccount, ProductUser, Subscription } from '../model.ts';
import type { ReasonCode, ReadinessStatus } from './report.ts';

function run(users: ProductUser[], accounts: ImsAccount[] = [], sub: Subscription = subscription()) {
  return planReadiness({ subscriptions: [{ subscription: sub, users }], ims: { accounts } });
}
function one(users: ProductUser[], id: string, accounts: ImsAccount[] = [], sub?: Subscription) {
  const u = run(users, accounts, sub).users.find((x) => x.id === id);
  assert.ok(u, id);
  return u;
}
const codes = (u: { reasons: { code: string }[] }) => u.reasons.map((r) => r.code);

const acme = subscription({ imsOrg: { id: 'ORG1', name: 'Acme', claimedDomains: ['acme.example'], ssoConfigured: false } });

const table: { name: string; users: ProductUser[]; ims?: ImsAccount[]; sub?: Subscription; id: string; status: ReadinessStatus; code?: ReasonCode }[] = [
  { name: 'plain verified user', users: [productUser({ id: 'u1' })], id: 'u1', status: 'eligible' },
  { name: 'API-only stays local', users: [productUser({ id: 'u1', apiOnly: true, emailVerified: false })], id: 'u1', status: 'stays_local', code: 'api_only' },
  { name: 'deactivated', users: [productUser({ id: 'u1', status: 'deactivated' })], id: 'u1', status: 'not_migrated', code: 'deactivated' },
  { name: 'locked', users: [productUser({ id: 'u1', locked: true })], id: 'u1', status: 'not_migrated', code: 'locked' },
  { name: 'invalid email', users: [productUser({ id: 'u1', email: 'bob@' })], id: 'u1', status: 'blocked', code: 'invalid_email' },
  { name: 'duplicate after normalisation', users: [productUser({ id: 'u1', email: 'Bo@acme.example' }), productUser({ id: 'u2', email: ' bo@ACME.example' })], id: 'u2', status: 'blocked', code: 'duplicate_email' },
  { name: 'ambiguous IMS match', users: [productUser({ id: 'u1' })], ims: [imsAccount({ email: 'u1@acme.example', id: 'a' }), imsAccount({ email: 'U1@acme.example', id: 'b' })], id: 'u1', status: 'blocked', code: 'ambiguous_ims_match' },
  { name: 'a pending (unverified) sign-up reserves nothing', users: [productUser({ id: 'u1' })], ims: [imsAccount({ email: 'u1@acme.example', emailVerified: false })], id: 'u1', status: 'eligible', code: 'ims_signup_pending' },
  { name: 'an unverified managed ID of the org blocks', users: [productUser({ id: 'u1' })], ims: [imsAccount({ email: 'u1@acme.example', type: 'enterprise', emailVerified: false })], sub: acme, id: 'u1', status: 'blocked', code: 'ims_email_unverified' },
  { name: 'mixed scripts', users: [productUser({ id: 'u1', email: 'p\u0430ul@acme.example' })], id: 'u1', status: 'blocked', code: 'confusable_email' },
  { name: 'non-ASCII skeleton twin', users: [productUser({ id: 'u1', email: 'paul@acme.example' }), productUser({ id: 'u2', email: '\u0440\u0430ul@acme.example' })], id: 'u2', status: 'blocked', code: 'confusable_email' },
  { name: 'SSO without SSO in the org', users: [productUser({ id: 'u1', sso: true })], id: 'u1', status: 'blocked', code: 'sso_not_configured' },
  { name: 'enterprise ID of another org', users: [productUser({ id: 'u1', email: 'u1@other.example' })], ims: [imsAccount({ email: 'u1@other.example', type: 'enterprise' })], id: 'u1', status: 'blocked', code: 'domain_claimed_elsewhere' },
  { name: 'domain managed by another org, no account yet', users: [productUser({ id: 'u1', email: 'new@other.example' })], ims: [imsAccount({ email: 'x@other.example', type: 'federated' })], id: 'u1', status: 'blocked', code: 'domain_claimed_elsewhere' },
  { name: 'invited, never accepted', users: [productUser({ id: 'u1', status: 'invited', emailVerified: false })], id: 'u1', status: 'needs_email_verification', code: 'invite_not_accepted' },
  { name: 'IMS account disabled', users: [productUser({ id: 'u1' })], ims: [imsAccount({ email: 'u1@acme.example', status: 'disabled' })], id: 'u1', status: 'blocked', code: 'ims_account_disabled' },
  { name: 'IMS account locked', users: [productUser({ id: 'u1' })], ims: [imsAccount({ email: 'u1@acme.example', status: 'locked' })], id: 'u1', status: 'blocked', code: 'ims_account_disabled' },
  { name: 'personal ID in a claimed domain coexists with the managed ID', users: [productUser({ id: 'u1' })], ims: [imsAccount({ email: 'u1@acme.example', type: 'personal' })], sub: acme, id: 'u1', status: 'eligible', code: 'identity_type_conflict' },
  { name: 'unverified product email', users: [productUser({ id: 'u1', emailVerified: false })], id: 'u1', status: 'needs_email_verification', code: 'email_unverified' },
  { name: 'login differs (warning only)', users: [productUser({ id: 'u1', login: 'jdoe' })], id: 'u1', status: 'eligible', code: 'login_differs_from_email' },
  { name: 'access expires (warning only)', users: [productUser({ id: 'u1', expiresAt: '2027-01-31T00:00:00Z' })], id: 'u1', status: 'eligible', code: 'access_expires' },
  { name: 'gmail plus address (warning only)', users: [productUser({ id: 'u1', email: 'first.last+mkto@gmail.com' })], id: 'u1', status: 'eligible', code: 'plus_or_dot_address' },
  { name: 'ASCII look-alikes are only warned', users: [productUser({ id: 'u1', email: 'j0hn@acme.example' }), productUser({ id: 'u2', email: 'john@acme.example' })], id: 'u1', status: 'eligible', code: 'confusable_email' },
];

for (const c of table) {
  test(`readiness: ${c.name} -> ${c.status}${c.code ? ` (${c.code})` : ''}`, () => {
    const u = one(c.users, c.id, c.ims, c.sub);
    assert.equal(u.status, c.status, JSON.stringify(u.reasons));
    if (c.code) assert.ok(codes(u).includes(c.code), `${codes(u)}`);
    for (const r of u.reasons) assert.ok(r.message.length > 10 && r.fix.length > 10 && !r.message.includes('{detail}'));
  });
}

test('readiness: duplicate email blocks both users', () => {
  const r = run([productUser({ id: 'u1', email: 'a@acme.example' }), productUser({ id: 'u2', email: 'A@acme.example' })]);
  assert.deepEqual(r.users.map((u) => u.status), ['blocked', 'blocked']);
});

test('readiness: links to a verified existing account, otherwise plans a new one', () => {
  const r = run([productUser({ id: 'u1' }), productUser({ id: 'u2' })], [imsAccount({ email: 'U1@acme.example', id: 'sub-1' })]);
  assert.deepEqual(r.users.find((u) => u.id === 'u1')?.match, { kind: 'existing', accountId: 'sub-1', type: 'personal' });
  assert.deepEqual(r.users.find((u) => u.id === 'u2')?.match, { kind: 'new' });
});

test('readiness: admins come first and the summary says whether they are ready', () => {
  const sub = subscription({ admins: ['z9', 'a2'] });
  const r = run([productUser({ id: 'a1' }), productUser({ id: 'a2', emailVerified: false }), productUser({ id: 'z9' })], [], sub);
  assert.deepEqual(r.users.map((u) => u.id), ['a2', 'z9', 'a1']);
  assert.equal(r.summary.adminsReady, false);
  assert.deepEqual(r.summary.adminsNotReady, ['a2']);
  assert.ok(codes(r.users[0]!).includes('admin_not_ready'));
  assert.equal(r.summary.byStatus.needs_email_verification, 1);
  assert.deepEqual(r.summary.emailVerification, { verified: 2, required: 3 });
});

test('readiness: one person in production and sandbox is noted per user, not a duplicate', () => {
  const prod = subscription({ id: 'P-1', admins: ['1'] });
  const sandbox = subscription({ id: 'S-1', name: 'Sandbox', admins: ['9'] });
  const r = planReadiness({
    subscriptions: [
      { subscription: prod, users: [productUser({ id: '1', email: 'ann@acme.example' })] },
      { subscription: sandbox, users: [productUser({ id: '9', email: 'Ann@acme.example' })] },
    ],
    ims: { accounts: [] },
  });
  assert.deepEqual(r.users.map((u) => [u.subscriptionId, u.status, u.otherSubscriptions]), [['P-1', 'eligible', ['S-1']], ['S-1', 'eligible', ['P-1']]]);
  assert.ok(codes(r.users[0]!).includes('in_several_subscriptions'));
  assert.equal(r.summary.subscriptions.length, 2);
  assert.equal(r.summary.adminsReady, true);
});

test('readiness is deterministic and JSON-serialisable', () => {
  const users = [productUser({ id: 'b' }), productUser({ id: 'a', email: 'x@' })];
  const a = run(users);
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  assert.equal(JSON.stringify(run([...users].reverse())), JSON.stringify(a));
});

const arbUser = fc.record({
  id: fc.string({ minLength: 1, maxLength: 4 }),
  email: fc.oneof(fc.emailAddress(), fc.string(), fc.constantFrom('A@x.example', 'a@X.example', 'p\u0430ul@x.example', 'bob@')),
  emailVerified: fc.boolean(), apiOnly: fc.boolean(), sso: fc.boolean(), locked: fc.boolean(),
  status: fc.constantFrom('active', 'invited', 'deactivated' as const),
}).map((u) => productUser(u));
const arbAccount = fc.record({
  email: fc.oneof(fc.emailAddress(), fc.constantFrom('A@x.example', 'a@x.example', 'nope')),
  id: fc.uuid(), emailVerified: fc.boolean(), type: fc.constantFrom('personal', 'enterprise', 'federated' as const),
  status: fc.constantFrom('active', 'disabled', 'locked' as const),
}).map((a) => imsAccount(a));

test('property: no input crashes readiness; each user gets exactly one status and at most one IMS account', () => {
  fc.assert(fc.property(fc.uniqueArray(arbUser, { selector: (u) => u.id, maxLength: 30 }), fc.array(arbAccount, { maxLength: 30 }), (users, accounts) => {
    const r = run(users, accounts);
    assert.equal(r.users.length, users.length);
    assert.equal(r.summary.total, users.length);
    for (const u of r.users) {
      if (u.match.kind === 'existing') {
        // exactly one account in the whole directory holds the user's normalised address: the one linked
        // (a sign-up that never verified the address is no holder: it reserves nothing)
        const holders = accounts.filter((a) => { const e = normalizeEmail(a.email); return e.ok && e.address === u.normalizedEmail && !(a.type === 'personal' && !a.emailVerified); });
        assert.equal(holders.length, 1);
        assert.equal(holders[0]!.id, u.match.accountId);
        const a = accounts.find((x) => x.id === (u.match.kind === 'existing' ? u.match.accountId : ''));
        assert.ok(a && a.emailVerified && a.status === 'active');
      }
      if (u.status === 'eligible') assert.ok(!u.reasons.some((x) => x.severity === 'block'));
    }
  }), { numRuns: 500 });
});
