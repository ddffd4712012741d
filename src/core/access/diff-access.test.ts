import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diffAccess } from './diff-access.ts';
import { accessSnapshotFromUsers, parseAccessSnapshot, type AccessSnapshot } from './access-snapshot.ts';
import { productUser } from '../testing/builders.ts';
import type { AccessGrant } from '../model.ts';

const g = (s: string): AccessGrant => {
  const [wp, role] = s.split(':') as [string, string];
  const [workspace, partition] = wp.split('/') as [string, string];
  return { workspace, partition, role };
};
const snap = (users: Record<string, string[]>): AccessSnapshot => ({ users: Object.entries(users).map(([id, grants]) => ({ id, grants: grants.map(g) })) });

test('no differences: nothing reported, nothing lost', () => {
  const s = snap({ u1: ['W/P:Admin', 'X/Q:Viewer'], u2: [] });
  const d = diffAccess(s, snap({ u2: [], u1: ['X/Q:Viewer', 'W/P:Admin', 'W/P:Admin'] }));
  assert.deepEqual(d.users, []);
  assert.equal(d.summary.unchanged, 2);
  assert.equal(d.summary.anyLoss, false);
});

const cases: { name: string; before: string[]; after: string[] | undefined; kinds: string[]; severity: string }[] = [
  { name: 'grant gone', before: ['W/P:Admin', 'X/Q:Viewer'], after: ['W/P:Admin'], kinds: ['lost'], severity: 'loss' },
  { name: 'grant added', before: ['W/P:Admin'], after: ['W/P:Admin', 'X/Q:Viewer'], kinds: ['gained'], severity: 'gain' },
  { name: 'same workspace and role, other partition', before: ['W/P1:Admin'], after: ['W/P2:Admin'], kinds: ['partition_reassigned'], severity: 'change' },
  { name: 'same workspace and partition, other role', before: ['W/P:Admin'], after: ['W/P:Viewer'], kinds: ['role_changed'], severity: 'change' },
  { name: 'other workspace is a loss and a gain', before: ['W/P:Admin'], after: ['V/P:Admin'], kinds: ['lost', 'gained'], severity: 'loss' },
  { name: 'user gone', before: ['W/P:Admin'], after: undefined, kinds: ['user_missing'], severity: 'loss' },
  { name: 'user without grants gone', before: [], after: undefined, kinds: ['user_missing'], severity: 'loss' },
];
for (const c of cases) {
  test(`diffAccess: ${c.name} -> ${c.kinds.join(', ')} (${c.severity})`, () => {
    const d = diffAccess(snap({ u1: c.before }), c.after === undefined ? snap({}) : snap({ u1: c.after }));
    assert.equal(d.users.length, 1);
    assert.deepEqual(d.users[0]!.differences.map((x) => x.kind), c.kinds);
    assert.equal(d.users[0]!.severity, c.severity);
    assert.equal(d.summary.anyLoss, c.severity === 'loss');
  });
}

test('differences carry what moved where', () => {
  const d = diffAccess(snap({ u1: ['W/P1:Admin', 'V/Q:Editor'] }), snap({ u1: ['W/P2:Admin', 'V/Q:Viewer'] }));
  assert.deepEqual(d.users[0]!.differences, [
    { kind: 'partition_reassigned', workspace: 'W', role: 'Admin', from: 'P1', to: 'P2' },
    { kind: 'role_changed', workspace: 'V', partition: 'Q', from: 'Editor', to: 'Viewer' },
  ]);
});

test('deactivation is a loss; new users are reported as added; losses sort first', () => {
  const before: AccessSnapshot = { users: [{ id: 'b', status: 'active', grants: [g('W/P:R')] }, { id: 'a', grants: [] }] };
  const after: AccessSnapshot = { users: [{ id: 'b', status: 'deactivated', grants: [g('W/P:R')] }, { id: 'a', grants: [g('W/P:R')] }, { id: 'c', grants: [] }] };
  const d = diffAccess(before, after);
  assert.deepEqual(d.users.map((u) => [u.userId, u.severity]), [['b', 'loss'], ['a', 'gain'], ['c', 'gain']]);
  assert.deepEqual(d.summary.byKind, { lost: 0, gained: 1, partition_reassigned: 0, role_changed: 0, status_changed: 1, user_missing: 0, user_added: 1 });
  assert.deepEqual(d.summary.bySeverity, { loss: 1, change: 0, gain: 2 });
});

test('snapshots from product users and from JSON (grants or the CSV access string)', () => {
  const s = accessSnapshotFromUsers([productUser({ id: 'u1', access: [g('W/P:R')] })], '2026-01-01T00:00:00Z');
  assert.deepEqual(s.users[0]!.grants, [g('W/P:R')]);
  const parsed = parseAccessSnapshot({ users: [{ id: 7, access: 'W/P:R; V/Q:S' }, { id: 'u2', grants: [{ workspace: 'W', partition: 'P', role: 'R' }] }] }, 'a.json');
  assert.ok('snapshot' in parsed);
  assert.deepEqual(parsed.snapshot.users.map((u) => [u.id, u.grants.length]), [['7', 2], ['u2', 1]]);
  const bad = parseAccessSnapshot({ users: [{ id: 'x', access: 'nonsense' }, { id: 'x', grants: [{}] , status: 'gone' }, {}] }, 'b.json');
  assert.deepEqual('problems' in bad && bad.problems, [
    'b.json: users[0].access: "nonsense" is not Workspace/Partition:Role',
    'b.json: users[1].id: "x" appears twice',
    'b.json: users[1].grants[0]: must be { "workspace": string, "partition": string, "role": string }',
    'b.json: users[1].status: must be active, invited or deactivated',
    'b.json: users[2].id: must be a non-empty string',
  ]);
});

// Property: no grant disappears silently, and a snapshot compared with itself shows nothing.
const grant = fc.record({ workspace: fc.constantFrom('W', 'V', 'X'), partition: fc.constantFrom('P', 'Q'), role: fc.constantFrom('Admin', 'Viewer') });
const users = fc.uniqueArray(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e'), grants: fc.array(grant, { maxLength: 4 }) }), { selector: (u) => u.id, maxLength: 5 });

test('property: every grant that disappears shows up as a difference, and losses set anyLoss', () => {
  fc.assert(fc.property(users, users, (b, a) => {
    const d = diffAccess({ users: b }, { users: a });
    assert.deepEqual(diffAccess({ users: b }, { users: b }).users, []);
    for (const user of b) {
      const later = a.find((x) => x.id === user.id);
      const diff = d.users.find((x) => x.userId === user.id);
      for (const gr of user.grants) {
        if (later?.grants.some((x) => x.workspace === gr.workspace && x.partition === gr.partition && x.role === gr.role)) continue;
        assert.ok(diff, `user ${user.id} lost ${JSON.stringify(gr)} silently`);
        assert.ok(diff.differences.some((x) => x.kind === 'user_missing' || ((x.kind === 'lost') && x.grant.workspace === gr.workspace)
          || (x.kind === 'partition_reassigned' && x.from === gr.partition) || (x.kind === 'role_changed' && x.from === gr.role)));
      }
    }
    assert.equal(d.summary.anyLoss, d.users.some((u) => u.differences.some((x) => x.kind === 'lost' || x.kind === 'user_missing')));
  }), { numRuns: 2000 });
});
