import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REASON_WORDS } from '../glossary/reason-words.ts';
import { REASONS, reason } from './reasons.ts';
import type { ReasonCode } from './report.ts';

const CODES = Object.keys(REASONS) as ReasonCode[];

test('a reason inserts its detail as typed, even one holding replacement patterns ($&, $`, $\')', () => {
  const code = CODES.find((c) => REASON_WORDS[c].withDetail)!;
  assert.ok(code, 'some reason takes a detail');
  for (const detail of ['a$&b@example.com', "x$'y", 'p$`q', '$1']) {
    const r = reason(code, detail);
    assert.ok(r.message.includes(detail), `${detail} -> ${r.message}`);
  }
});

// The reason table and the downloaded report showed 'The user signs in as "", which...' and "access on ;": a
// template with its slot emptied. Without a detail, every reason is its own complete sentence.
test('a reason without its detail (or with a blank one) is written without the slot', () => {
  for (const code of CODES) {
    for (const detail of [undefined, '', '   ']) {
      const m = reason(code, detail).message;
      assert.equal(m, REASON_WORDS[code].sentence, `${code} with ${JSON.stringify(detail)}`);
      assert.doesNotMatch(m, /""|\(\)|\s[;:,.]|\{detail\}/, `${code}: ${m}`);
    }
  }
});

test('every reason with a detail puts it in place, in a complete sentence', () => {
  for (const code of CODES) {
    const m = reason(code, 'DETAIL').message;
    if (REASON_WORDS[code].withDetail) assert.ok(m.includes('DETAIL') && /[.)]$/.test(m), `${code}: ${m}`);
    else assert.equal(m, REASONS[code].message);
  }
});
