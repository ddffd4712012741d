import assert from 'node:assert/strict';
import { test } from 'node:test';
import { productUser, subscription } from '../testing/builders.ts';
import { planMigration } from '../migration/plan-migration.ts';
import type { ProductUser } from '../model.ts';
import { classifySubscription } from './classify-subscription.ts';
import { factsFromPlan } from './subscription-facts.ts';

function planOf(users: ProductUser[], admins: string[], over: { ssoConfigured?: boolean; orgExists?: boolean; threshold?: number } = {}) {
  const sub = subscription({ admins, imsOrg: { id: 'ORG1', name: 'Acme', claimedDomains: ['acme.example'], ssoConfigured: over.ssoConfigured ?? false } });
  return planMigration({
    snapshot: { id: 's1', digest: 'd1', subscription: sub, users, ims: { accounts: [] } }, passwordStrategy: 'invite',
    orgExists: over.orgExists ?? false, ...(over.threshold === undefined ? {} : { automaticThreshold: over.threshold }),
  });
}

const USERS = [
  productUser({ id: 'a1' }), productUser({ id: 'a2', emailVerified: false }),
  productUser({ id: 'u1' }), productUser({ id: 'api', apiOnly: true }), productUser({ id: 'gone', status: 'deactivated' }),
  productUser({ id: 'lock', locked: true }), productUser({ id: 'unv', emailVerified: false }), productUser({ id: 'bad', email: 'nope' }),
];

test('facts: the counts of the plan `rehome plan` makes; movable leaves out API-only, deactivated and locked users', () => {
  const f = factsFromPlan(planOf(USERS, ['a1', 'a2'], { orgExists: true }), { consentRecorded: false, requests: 12 });
  assert.deepEqual(f, {
    id: '123-ABC-456', users: 8, movable: 5, ready: 2, ssoRequired: false, admins: { total: 2, ready: 1 },
    prerequisites: [{ code: 'consent_required', blocking: true, message: 'The IMS organization ORG1 already exists: an admin must consent to migrating into it (rehome link --consent).' }],
    consentRecorded: false, requests: 12,
  });
});

test('facts: the mode the wave planner derives is the plan\'s own, for any threshold, with and without SSO users', () => {
  for (const sso of [false, true]) {
    const users = [...USERS, productUser({ id: 'sso', sso })];
    for (const threshold of [0, 5, 6, 7, 75]) {
      const plan = planOf(users, ['a1'], { threshold, ssoConfigured: true });
      const entry = classifySubscription(factsFromPlan(plan, { consentRecorded: false }), threshold);
      assert.equal(entry.mode, plan.mode, `sso ${sso}, threshold ${threshold}`);
    }
  }
});

test('facts: no admin ready and SSO missing block, with the plan\'s own message for SSO', () => {
  const plan = planOf([productUser({ id: 'a', emailVerified: false }), productUser({ id: 's', sso: true })], ['a']);
  const entry = classifySubscription(factsFromPlan(plan, { consentRecorded: false }), 75);
  assert.equal(entry.blocked, true);
  assert.deepEqual(entry.reasons.map((r) => r.code), ['no_ready_admin', 'sso_not_configured']);
  assert.equal(entry.reasons[1]!.message, plan.prerequisites.find((p) => p.code === 'sso_not_configured')!.message);
});
