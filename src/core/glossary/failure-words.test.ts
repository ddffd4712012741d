import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAILURE_WORDS, failureLabel } from './failure-words.ts';

// Every IdpErrorCode (ports/identity-provider.ts) as the engine records it, and the engine's own codes.
const IDP_CODES = ['throttled', 'unavailable', 'timeout', 'aborted', 'conflict', 'ambiguous', 'not_found', 'invalid_request', 'unauthorized', 'forbidden', 'email_unverified', 'type_mismatch', 'exists', 'protocol'];

test('every failure code the engine records has a label and a sentence; unknown codes show as themselves', () => {
  for (const code of [...IDP_CODES.map((c) => `idp_${c}`), 'plan_drift', 'unexpected']) {
    const w = FAILURE_WORDS[code];
    assert.ok(w, code);
    assert.ok(w.label.length > 0 && !w.label.includes('_'), `${code}: a label, not a code`);
    assert.match(w.sentence, /^[A-Z].*[.]$/, `${code}: a sentence`);
  }
  assert.equal(failureLabel('idp_timeout'), 'IMS too slow');
  assert.equal(failureLabel('product_link_refused'), 'product_link_refused');
  assert.equal(failureLabel(null), 'Failed');
  assert.equal(failureLabel('constructor'), 'constructor', 'no inherited property is taken for a label');
});
