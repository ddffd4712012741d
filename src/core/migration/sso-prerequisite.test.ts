import assert from 'node:assert/strict';
import { test } from 'node:test';
import { productUser, subscription } from '../testing/builders.ts';
import type { ProductUser } from '../model.ts';
import { planMigration } from './plan-migration.ts';
import { ssoPrerequisite, type SsoUserFacts } from './sso-prerequisite.ts';

const CASES: { name: string; users: SsoUserFacts[]; configured?: boolean; count: number | null }[] = [
  { name: 'no SSO user', users: [{ sso: false, action: 'create' }], count: null },
  { name: 'SSO configured', users: [{ sso: true, action: 'create' }], configured: true, count: null },
  { name: 'one moving SSO user', users: [{ sso: true, action: 'link' }, { sso: false, action: 'create' }], count: 1 },
  { name: 'held for SSO: moves once SSO is there', users: [{ sso: true, action: 'hold' }, { sso: true, action: 'wait_for_verification' }], count: 2 },
  { name: 'staying local or not migrated: nothing to lose', users: [{ sso: true, action: 'stay_local' }, { sso: true, action: 'skip' }], count: null },
  { name: 'skipped by an admin since', users: [{ sso: true, action: 'hold', skipped: true }, { sso: true, action: 'hold' }], count: 1 },
  { name: 'every SSO user skipped', users: [{ sso: true, action: 'hold', skipped: true }], count: null },
];

for (const c of CASES) {
  test(`ssoPrerequisite: ${c.name}`, () => {
    const p = ssoPrerequisite({ users: c.users, ssoConfigured: c.configured ?? false, orgId: 'ORG1' });
    if (c.count === null) return assert.equal(p, undefined);
    assert.equal(p?.code, 'sso_not_configured');
    assert.equal(p.blocking, true);
    assert.match(p.message, new RegExp(`^${c.count} users? who will move sign`));
    assert.match(p.message, /rehome ims org sso set --org ORG1/);
  });
}

function plan(users: ProductUser[]) {
  const sub = subscription({ admins: ['a'] });
  return planMigration({
    snapshot: { id: 's1', digest: 'd1', subscription: sub, users: [productUser({ id: 'a' }), ...users], ims: { accounts: [] } },
    passwordStrategy: 'invite', orgExists: false,
  });
}

test('regression: a locked (not migrated) or API-only SSO user no longer blocks the schedule', () => {
  const p = plan([productUser({ id: 'l', sso: true, locked: true }), productUser({ id: 'api', sso: true, apiOnly: true }), productUser({ id: 'd', sso: true, status: 'deactivated' })]);
  assert.deepEqual(p.prerequisites.filter((x) => x.code === 'sso_not_configured'), []);
  assert.equal(p.product.find((s) => s.step === 'check_sso')?.required, false);
});

test('the plan names how many moving users sign in with SSO and the command that configures it', () => {
  const p = plan([productUser({ id: 's1', sso: true }), productUser({ id: 's2', sso: true }), productUser({ id: 'l', sso: true, locked: true })]);
  const sso = p.prerequisites.find((x) => x.code === 'sso_not_configured');
  assert.match(sso?.message ?? '', /^2 users who will move sign in with SSO today: .*rehome ims org sso set --org ORG1 /);
});
