import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REASONS, reason } from './reasons.ts';

test('a reason inserts its detail as typed, even one holding replacement patterns ($&, $`, $\')', () => {
  const code = (Object.keys(REASONS) as (keyof typeof REASONS)[]).find((c) => REASONS[c].message.includes('{detail}'))!;
  assert.ok(code, 'some reason takes a detail');
  for (const detail of ['a$&b@example.com', "x$'y", 'p$`q', '$1']) {
    const r = reason(code, detail);
    assert.ok(r.message.includes(detail), `${detail} -> ${r.message}`);
  }
});
