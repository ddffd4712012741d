import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSubscriptionJson, parseSubscriptionsJson } from './subscription.ts';
import { ImportErrors } from './import-error.ts';
import type { Subscription } from '../core/model.ts';

const SUB = {
  id: '123-ABC-456',
  name: 'Acme production',
  timeZone: 'America/Los_Angeles',
  admins: ['u1', 'u2'],
  imsOrg: { id: 'ABCDEF0123456789ABCDEF01@AdobeOrg', name: 'Acme', claimedDomains: ['Example.COM', 'bücher.de'], ssoConfigured: true },
};

const EXPECTED: Subscription = {
  ...SUB,
  imsOrg: { ...SUB.imsOrg, claimedDomains: ['example.com', 'xn--bcher-kva.de'] },
};

test('subscription: a full object, domains lower-case ASCII', () => {
  assert.deepEqual(parseSubscriptionJson(`\ufeff${JSON.stringify(SUB, null, 2)}\r\n`, 'sub.json'), EXPECTED);
});

test('subscription: ssoConfigured may be left out; duplicates dropped; time zone canonical', () => {
  const text = JSON.stringify({ ...SUB, timeZone: 'europe/paris', admins: ['u1', 'u1'], imsOrg: { ...SUB.imsOrg, ssoConfigured: undefined, claimedDomains: ['a.org', 'A.org'] } });
  const s = parseSubscriptionJson(text, 'sub.json');
  assert.equal(s.timeZone, 'Europe/Paris');
  assert.deepEqual(s.admins, ['u1']);
  assert.deepEqual(s.imsOrg.claimedDomains, ['a.org']);
  assert.equal(s.imsOrg.ssoConfigured, false);
});

test('subscriptions: an array, or a single object', () => {
  const other = { ...SUB, id: '123-ABC-457', name: 'Acme sandbox' };
  assert.deepEqual(parseSubscriptionsJson(JSON.stringify([SUB, other]), 'subs.json'), [EXPECTED, { ...EXPECTED, id: '123-ABC-457', name: 'Acme sandbox' }]);
  assert.deepEqual(parseSubscriptionsJson(JSON.stringify(SUB), 'subs.json'), [EXPECTED]);
});

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ImportErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  return [];
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

const bad: { name: string; text: string; many?: boolean; problems: string[] }[] = [
  {
    name: 'bad claimed domain, with its path and place',
    text: pretty({ ...SUB, imsOrg: { ...SUB.imsOrg, claimedDomains: ['a.org', 'b.org', 'not a domain'] } }),
    problems: ['sub.json:15:7: imsOrg.claimedDomains[2]: expected domain name, got "not a domain"'],
  },
  {
    name: 'unknown time zone',
    text: pretty({ ...SUB, timeZone: 'Mars/Olympus' }),
    problems: ['sub.json:4:15: timeZone: expected an IANA time zone like "America/Los_Angeles", got "Mars/Olympus"'],
  },
  {
    name: 'missing and mistyped fields, and a typo',
    text: pretty({ id: '', name: 'x', admins: 'u1', imsOrg: { id: 'o', name: 'n', claimedDomains: [], ssoConfigred: true, ssoConfigured: 'yes' } }),
    problems: [
      'sub.json:2:9: id: expected a subscription id like "123-ABC-456", got ""',
      'sub.json:1:1: timeZone: expected an IANA time zone like "America/Los_Angeles"',
      'sub.json:4:13: admins: expected an array of product user ids, got "u1"',
      'sub.json:9:21: imsOrg.ssoConfigred: unknown field; did you mean ssoConfigured?',
      'sub.json:10:22: imsOrg.ssoConfigured: expected true or false, got "yes"',
    ],
  },
  { name: 'missing imsOrg', text: '{"id":"1","name":"n","timeZone":"UTC","admins":[]}', problems: ['sub.json:1:1: imsOrg: expected the IMS organization object'] },
  { name: 'syntax error with line and column', text: '{\n  "id": "1",\n  "name": x\n}', problems: ['sub.json:3:11: expected a JSON value'] },
  { name: 'trailing comma', text: '{\n  "id": "1",\n}', problems: ['sub.json:3:1: expected a property name in double quotes'] },
  { name: 'unterminated string', text: '{"id": "1', problems: ['sub.json:1:8: expected a closing " for this string'] },
  { name: 'empty file', text: ' \n', problems: ['sub.json: the file is empty; expected a subscription object'] },
  { name: 'an array where one object is expected', text: '[]', problems: ['sub.json:1:1: expected an object, got []'] },
  {
    name: 'duplicate subscription ids in an array',
    text: JSON.stringify([SUB, SUB]),
    many: true,
    problems: ['sub.json:1:240: [1].id: expected each subscription once, got "123-ABC-456" (also at [0])'],
  },
];

for (const c of bad) {
  test(`subscription error: ${c.name}`, () => {
    assert.deepEqual(problems(() => (c.many ? parseSubscriptionsJson(c.text, 'sub.json') : parseSubscriptionJson(c.text, 'sub.json'))), c.problems);
  });
}
