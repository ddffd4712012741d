import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideAccount, type PlannedAccount, type SeenAccount } from './enforce-plan.ts';

const personal = (id: string): SeenAccount => ({ id, type: 'personal', emailVerified: true });
const enterprise = (id: string): SeenAccount => ({ id, type: 'enterprise', emailVerified: true });
const link: PlannedAccount = { action: 'link', accountId: 'A', accountType: 'personal' };
const create: PlannedAccount = { action: 'invite', accountId: null, accountType: 'personal' };
const managed: PlannedAccount = { action: 'create', accountId: null, accountType: 'enterprise' };

test('decideAccount: the plan is carried out exactly, or the user drifts', () => {
  const cases: [string, PlannedAccount, Parameters<typeof decideAccount>[1], string][] = [
    ['planned link, the account is there', link, { verified: [personal('A')] }, 'link:A'],
    ['planned link, the account vanished', link, { verified: [] }, 'drift'],
    ['planned link, another account holds the address', link, { verified: [personal('B')] }, 'drift'],
    ['planned link, our own earlier attempt linked it', link, { linked: personal('A'), verified: [] }, 'use:A'],
    ['planned link, another account carries our externalId', link, { linked: personal('B'), verified: [] }, 'drift'],
    ['planned create, nothing there', create, { verified: [] }, 'create'],
    ['planned create, a verified account appeared since the plan', create, { verified: [personal('X')] }, 'drift'],
    ['planned create, our own earlier attempt created it', create, { linked: { id: 'N', type: 'personal', emailVerified: false }, verified: [] }, 'use:N'],
    ['planned managed ID, a personal account coexists', managed, { verified: [personal('P')] }, 'create'],
    ['planned managed ID, one appeared since the plan', managed, { verified: [enterprise('E')] }, 'drift'],
    ['planned managed ID, the linked account is personal (the type changed)', managed, { linked: personal('P'), verified: [] }, 'drift'],
    ['planned link, an IdP that shows only its members sees nothing: its own rules must answer with the account', link, { verified: [], complete: false }, 'provision:A'],
  ];
  for (const [name, plan, seen, want] of cases) {
    const d = decideAccount(plan, seen);
    assert.equal(d.do === 'use' || d.do === 'link' ? `${d.do}:${d.accountId}` : d.do === 'provision' ? `provision:${d.expect}` : d.do, want, name);
  }
});

test('property: apply never links or uses an account the plan did not name, except the one our own attempt made', () => {
  const account = fc.record({ id: fc.constantFrom('A', 'B', 'C'), type: fc.constantFrom('personal', 'enterprise', 'federated' as const), emailVerified: fc.boolean() });
  const plan = fc.record({ action: fc.constantFrom('link', 'create', 'invite' as const), accountId: fc.constantFrom('A', null), accountType: fc.constantFrom('personal', 'enterprise' as const) });
  fc.assert(fc.property(plan, fc.option(account, { nil: undefined }), fc.array(account, { maxLength: 3 }), (p, linked, verified) => {
    const d = decideAccount(p, { linked, verified });
    if (d.do === 'link') assert.equal(d.accountId, p.accountId);
    if (d.do === 'use') assert.equal(d.accountId, linked!.id);
    if (d.do === 'create') assert.equal(p.action === 'link', false);
    if (d.do === 'provision') assert.equal(d.expect, p.accountId);
  }), { numRuns: 2000 });
  fc.assert(fc.property(plan, fc.array(account, { maxLength: 3 }), (p, verified) => {
    const d = decideAccount(p, { verified, complete: false });
    if (d.do === 'provision') assert.equal(d.expect, p.accountId, 'what an incomplete look-up cannot show, the IdP must answer with the named account');
  }), { numRuns: 500 });
});
