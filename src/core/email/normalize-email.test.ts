import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeEmail } from './normalize-email.ts';
import { isMixedScript, skeleton } from './confusables.ts';

test('normalizeEmail: trims, NFC, IDNA domain, case-folds the local part', () => {
  const cases: [string, string][] = [
    ['  Jane.Doe@Example.COM ', 'jane.doe@example.com'],
    ['ANNA@bücher.de', 'anna@xn--bcher-kva.de'],
    ['e\u0301lise@acme.example', '\u00e9lise@acme.example'],
    ['a+tag@Acme.Example', 'a+tag@acme.example'],
    ['ann@xn--bcher-kva.de', 'ann@xn--bcher-kva.de'],
  ];
  for (const [raw, want] of cases) {
    const r = normalizeEmail(raw);
    assert.ok(r.ok, raw);
    assert.equal(r.address, want);
  }
});

test('normalizeEmail: case folding of the local part follows the policy', () => {
  const r = normalizeEmail('Jane@ACME.example', { caseFoldLocalPart: false });
  assert.ok(r.ok);
  assert.equal(r.address, 'Jane@acme.example');
});

test('normalizeEmail: names the problem of an invalid address', () => {
  const cases: [string, string][] = [
    ['', 'empty'], ['   ', 'empty'], ['bob', 'no_at_sign'], ['a@b@c.example', 'several_at_signs'], ['@acme.example', 'local_part_invalid'],
    ['.a@acme.example', 'local_part_invalid'], ['a..b@acme.example', 'local_part_invalid'], ['a b@acme.example', 'local_part_invalid'],
    ['bob@', 'domain_invalid'], ['bob@localhost', 'domain_invalid'], ['bob@-x.example', 'domain_invalid'], ['bob@1.2.3.4', 'domain_invalid'],
    [`${'x'.repeat(65)}@acme.example`, 'local_part_too_long'],
    ['Ann@Example.com.', 'trailing_dot'],
    ['frances.hamilton35@\uff46reelance.example', 'compatibility_form'],
    ['\uff41nn@acme.example', 'compatibility_form'],
    ['ann@acme\u00ad.example', 'default_ignorable'],
    ['an\u200bn@acme.example', 'default_ignorable'],
    ['p\u0430ypal@acme.example', 'mixed_script'],
    ['ann@\u0430cme.example', 'mixed_script'],
    ['\ufb01nn@acme.example', 'compatibility_form'],
  ];
  for (const [raw, problem] of cases) {
    const r = normalizeEmail(raw);
    assert.equal(r.ok, false, raw);
    if (!r.ok) assert.equal(r.problem, problem, raw);
  }
});

test('property: normalizeEmail never throws and is idempotent on what it accepts', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
    const r = normalizeEmail(s);
    if (r.ok) {
      const again = normalizeEmail(r.address);
      assert.ok(again.ok);
      assert.equal(again.address, r.address);
    }
  }), { numRuns: 3000 });
  fc.assert(fc.property(fc.emailAddress(), (s) => { normalizeEmail(s); }), { numRuns: 2000 });
});

test('confusables: TR39 skeletons meet for look-alikes, scripts are told apart', () => {
  assert.equal(skeleton('j0hn@acme.example'), skeleton('JOHN@acme.example'));
  assert.equal(skeleton('p\u0430ypal@acme.example'), skeleton('paypal@acme.example')); // Cyrillic a
  assert.notEqual(skeleton('anna@acme.example'), skeleton('anne@acme.example'));
  assert.equal(isMixedScript('p\u0430ypal@acme.example'), true);
  assert.equal(isMixedScript('\u0430\u043d\u043d\u0430@acme.example'), false); // all-Cyrillic local part
  assert.equal(isMixedScript('\u5c71\u7530\u305f\u308d\u3046@acme.example'), false); // Han + Hiragana
  assert.equal(isMixedScript('jane@acme.example'), false);
});

test('property: skeleton and isMixedScript never throw', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => { skeleton(s); isMixedScript(s); }), { numRuns: 2000 });
});
