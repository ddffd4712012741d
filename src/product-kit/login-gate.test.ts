import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCredentialGate, formatWhoToAsk, legacyLoginGate, userManagementGate, type GateUser } from './login-gate.ts';

const user = (over: Partial<GateUser> = {}): GateUser => ({ loginMode: 'legacy', apiOnly: false, status: 'active', locked: false, ...over });
const before = { subscriptionMoved: false, admins: ['Ada <ada@acme.example>'], brandText: 'Continue with Acme ID' };
const moved = { ...before, subscriptionMoved: true };

test('legacyLoginGate: who may use the product password, and what the others are told', () => {
  const cases: [string, GateUser, typeof before, string | null, boolean?][] = [
    ['not cut over, before the move', user(), before, null],
    ['cut over: use the IMS button', user({ loginMode: 'ims' }), before, 'use_ims', true],
    ['cut over, after the move', user({ loginMode: 'ims' }), moved, 'use_ims', true],
    ['not migrated, after the move', user(), moved, 'not_migrated', false],
    ['API-only never signs in here', user({ apiOnly: true, loginMode: 'api_only' }), before, 'api_only_user', false],
    ['invited', user({ status: 'invited' }), before, 'inactive', false],
    ['deactivated', user({ status: 'deactivated' }), before, 'inactive', false],
    ['locked', user({ locked: true }), before, 'locked', false],
  ];
  for (const [name, u, context, code, offerIms] of cases) {
    const decision = legacyLoginGate(u, context);
    if (code === null) {
      assert.deepEqual(decision, { allowed: true }, name);
    } else {
      assert.equal(decision.allowed, false, name);
      if (!decision.allowed) {
        assert.equal(decision.code, code, name);
        assert.equal(decision.offerIms, offerIms, name);
      }
    }
  }
  const refused = legacyLoginGate(user({ loginMode: 'ims' }), before);
  assert.ok(!refused.allowed && refused.message.includes('"Continue with Acme ID"'));
  const notMigrated = legacyLoginGate(user(), moved);
  assert.ok(!notMigrated.allowed && notMigrated.message.includes('Ada <ada@acme.example>') && notMigrated.whoToAsk.length === 1);
});

test('apiCredentialGate: only active API-only users, before and after the move alike', () => {
  assert.deepEqual(apiCredentialGate(user({ apiOnly: true, loginMode: 'api_only' })), { allowed: true });
  assert.equal(apiCredentialGate(user()).allowed, false);
  assert.equal(apiCredentialGate(user({ apiOnly: true, loginMode: 'api_only', status: 'deactivated' })).allowed, false);
});

test('userManagementGate: after the move only API-only users change here', () => {
  assert.equal(userManagementGate(user(), { subscriptionMoved: false }).allowed, true);
  assert.equal(userManagementGate(user(), { subscriptionMoved: true }).allowed, false);
  assert.equal(userManagementGate(user({ loginMode: 'ims' }), { subscriptionMoved: false }).allowed, false, 'a cut-over user is managed in the IMS');
  assert.equal(userManagementGate(user({ apiOnly: true, loginMode: 'api_only' }), { subscriptionMoved: true }).allowed, true);
});

test('formatWhoToAsk names everyone, or says who in general', () => {
  assert.equal(formatWhoToAsk([]), 'your subscription administrator');
  assert.equal(formatWhoToAsk(['A']), 'A');
  assert.equal(formatWhoToAsk(['A', 'B', 'C']), 'A, B or C');
});
