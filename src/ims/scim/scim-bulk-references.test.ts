import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findBulkIdReferences, scheduleBulk, substituteBulkIds, substitutePathBulkIds, type BulkStep, type SchedulableOperation } from './scim-bulk-references.ts';

describe('bulkId references (RFC 7644 §3.7.2)', () => {
  test('found in path segments, whole strings anywhere in data, and quoted in a PATCH value filter; keys are not read', () => {
    const data = {
      members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }, { value: 'plain' }],
      Operations: [{ op: 'remove', path: 'members[value eq "bulkId:u3"]' }],
      'bulkId:key': 'x',
      note: 'mentions bulkId:u9 unquoted',
    };
    assert.deepEqual(findBulkIdReferences('/Groups/bulkId:g1', data), ['g1', 'u1', 'u2', 'u3']);
    assert.deepEqual(findBulkIdReferences('/Users', undefined), []);
  });

  test('substituted in a copy; unresolved ones are left as written', () => {
    const data = { members: [{ value: 'bulkId:u1' }, { value: 'bulkId:zz' }], path: 'members[value eq "bulkId:u1"]' };
    const ids = new Map([['u1', 'id-1']]);
    assert.deepEqual(substituteBulkIds(data, ids), { members: [{ value: 'id-1' }, { value: 'bulkId:zz' }], path: 'members[value eq "id-1"]' });
    assert.equal(data.members[0]!.value, 'bulkId:u1');
    assert.equal(substitutePathBulkIds('/Groups/bulkId:u1', ids), '/Groups/id-1');
    assert.equal(substitutePathBulkIds('/Groups/bulkId:zz', ids), undefined);
    assert.equal(substitutePathBulkIds('/Users/abc', ids), '/Users/abc');
  });
});

const post = (bulkId: string, ...references: string[]): SchedulableOperation => ({ method: 'POST', bulkId, references });
const patch = (...references: string[]): SchedulableOperation => ({ method: 'PATCH', bulkId: undefined, references });

/** Runs the scheduler to the end; `fails` lists the operations that fail when run. Returns the steps in order. */
function run(operations: SchedulableOperation[], fails: number[] = []): BulkStep[] {
  const scheduler = scheduleBulk(operations);
  const steps: BulkStep[] = [];
  for (let step = scheduler.next(); step !== undefined; step = scheduler.next()) {
    steps.push(step);
    const ok = step.unresolved === undefined && !fails.includes(step.index);
    scheduler.settle(step.index, ok ? `id-${step.index}` : undefined);
  }
  return steps;
}

describe('the order bulkId references need', () => {
  const cases: { name: string; operations: SchedulableOperation[]; fails?: number[]; steps: BulkStep[] }[] = [
    {
      name: 'no references: request order',
      operations: [post('a'), patch(), post('b')],
      steps: [{ index: 0 }, { index: 1 }, { index: 2 }],
    },
    {
      name: 'a group before the users it names waits for them',
      operations: [post('g', 'u1', 'u2'), post('u1'), post('u2')],
      steps: [{ index: 1 }, { index: 2 }, { index: 0 }],
    },
    {
      name: 'a chain defined backwards',
      operations: [patch('c'), post('c', 'b'), post('b', 'a'), post('a')],
      steps: [{ index: 3 }, { index: 2 }, { index: 1 }, { index: 0 }],
    },
    {
      name: 'an unknown bulkId fails in its place',
      operations: [post('a'), patch('nope'), patch('a')],
      steps: [{ index: 0 }, { index: 1, unresolved: { bulkId: 'nope', why: 'unknown' } }, { index: 2 }],
    },
    {
      name: 'a bulkId on a PATCH names no resource',
      operations: [{ method: 'PATCH', bulkId: 'p', references: [] }, patch('p')],
      steps: [{ index: 0 }, { index: 1, unresolved: { bulkId: 'p', why: 'unknown' } }],
    },
    {
      name: 'a failed POST fails what references it',
      operations: [patch('a'), post('a')],
      fails: [1],
      steps: [{ index: 1 }, { index: 0, unresolved: { bulkId: 'a', why: 'failed' } }],
    },
    {
      name: 'a cycle, and what waits on it, fail as circular; the rest runs',
      operations: [post('a', 'b'), post('b', 'a'), patch('a'), post('c')],
      steps: [
        { index: 3 },
        { index: 0, unresolved: { bulkId: 'b', why: 'circular' } },
        { index: 1, unresolved: { bulkId: 'a', why: 'circular' } },
        { index: 2, unresolved: { bulkId: 'a', why: 'circular' } },
      ],
    },
    {
      name: 'a POST that references its own bulkId is circular',
      operations: [post('self', 'self')],
      steps: [{ index: 0, unresolved: { bulkId: 'self', why: 'circular' } }],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(run(c.operations, c.fails), c.steps));

  test('the ids of the POSTs that succeeded are kept by bulkId', () => {
    const scheduler = scheduleBulk([post('a'), post('b')]);
    scheduler.settle(0, 'id-a');
    scheduler.settle(1, undefined);
    assert.deepEqual([...scheduler.ids], [['a', 'id-a']]);
  });
});
