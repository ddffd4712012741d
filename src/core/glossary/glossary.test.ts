import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextUserState, SUBSCRIPTION_STATES, USER_STATES } from '../migration/states.ts';
import { READINESS_STATUSES } from '../readiness/report.ts';
import { REASONS } from '../readiness/reasons.ts';
import { GLOSSARY, reasonLabel, subscriptionStateWords, userStateWords } from './glossary.ts';
import { refusalSentence, userChangeRefusal, type UserChange } from './refusal-words.ts';
import type { Words } from './words.ts';

const SECTIONS: [string, Readonly<Record<string, Words>>, readonly string[]][] = [
  ['user states', GLOSSARY.userStates, USER_STATES],
  ['subscription states', GLOSSARY.subscriptionStates, SUBSCRIPTION_STATES],
  ['readiness statuses', GLOSSARY.readinessStatuses, READINESS_STATUSES],
  ['reasons', GLOSSARY.reasons, Object.keys(REASONS)],
];

for (const [name, words, codes] of SECTIONS) {
  test(`glossary: every one of the ${name} has a label and a sentence, and only those`, () => {
    assert.deepEqual(Object.keys(words).sort(), [...codes].sort());
    const labels = new Set<string>();
    for (const [code, w] of Object.entries(words)) {
      assert.ok(w.label.length > 2 && !w.label.includes('_'), `${code}: the label is words, not a code (${w.label})`);
      assert.ok(!labels.has(w.label), `${code}: the label ${w.label} is used twice`);
      labels.add(w.label);
      assert.match(w.sentence, /^[A-Z].*[.)]$/, `${code}: a sentence (${w.sentence})`);
      assert.doesNotMatch(w.sentence, /\{|""|\s[;:,.]/, `${code}: no slot in a sentence that stands alone`);
    }
  });
}

test('glossary: a code no table knows is shown as it is, never as nothing', () => {
  assert.equal(userStateWords('frozen').label, 'frozen');
  assert.equal(subscriptionStateWords('frozen').sentence, 'frozen');
  assert.equal(subscriptionStateWords(null).label, 'Not planned yet');
  assert.equal(reasonLabel('email_unverified'), 'Email not verified');
  assert.equal(reasonLabel('constructor'), 'constructor');
});

test('glossary: every skip, unskip or retry the state machine refuses has its sentence, naming the person', () => {
  for (const action of ['skip', 'unskip', 'retry'] as UserChange[]) {
    for (const state of USER_STATES) {
      const allowed = nextUserState(state, action).ok;
      assert.equal(Boolean(GLOSSARY.userChangeRefusals[action][state]), !allowed, `${action} from ${state}`);
      if (allowed) continue;
      const s = userChangeRefusal(action, state, 'Ann Smith (1001)');
      assert.match(s, /^Ann Smith \(1001\) .*\.$/, s);
    }
  }
  assert.equal(userChangeRefusal('retry', 'eligible', 'Ann Smith (1001)'), 'Ann Smith (1001) has not been tried yet, so there is nothing to retry.');
  assert.equal(userChangeRefusal('skip', undefined, '4711'), '4711 is not part of this migration.');
  assert.match(userChangeRefusal('skip', 'eligible', 'Ken Lamarr (1003)', 'admin_skip_unconfirmed'), /^Ken Lamarr \(1003\) is an admin of the subscription: skipping an admin needs a second confirmation/);
});

test('glossary: a refusal is one complete sentence with or without its detail, and an unknown code still reads', () => {
  for (const [code, w] of Object.entries(GLOSSARY.refusals)) {
    for (const detail of [undefined, null, '', '  ']) assert.equal(refusalSentence(code, detail), w.sentence, code);
    const s = refusalSentence(code, 'the detail.');
    assert.match(s, /^[A-Z].*[.)]$/, `${code}: ${s}`);
    assert.doesNotMatch(s, /\.\.|\{/, `${code}: ${s}`);
    if (w.withDetail) assert.ok(s.toLowerCase().includes('the detail'), `${code}: ${s}`);
  }
  assert.equal(refusalSentence('a_new_code'), 'That action was refused.');
  assert.equal(refusalSentence('usage', 'give a reason for skipping: skipped users lose access'), 'Give a reason for skipping: skipped users lose access.');
});
