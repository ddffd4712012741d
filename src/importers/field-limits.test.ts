import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELD_LIMITS, SUBSCRIPTION_ID } from './field-limits.ts';
import { ImportErrors } from './import-error.ts';
import { parseImsDirectoryCsv } from './ims-directory.ts';
import { parseProductUsersCsv, parseProductUsersJsonl } from './product-users.ts';
import { parseSubscriptionJson } from './subscription.ts';
import { parseTicketsJsonl } from './tickets.ts';

/** Every problem of a parse, as `file:line:column code field`. */
function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ImportErrors) return e.errors.map((x) => `${x.file}:${x.line}:${x.column} ${x.code}${x.field ? ` ${x.field}` : ''}`);
    throw e;
  }
  return [];
}

const long = (n: number): string => 'x'.repeat(n);

test('subscription ids: letters, digits, . _ -, a letter or digit first, at most 128', () => {
  for (const ok of ['123-ABC-456', 'a', 'sub.prod_2', long(128)]) assert.ok(SUBSCRIPTION_ID.test(ok), ok);
  for (const bad of ['../../etc/passwd', '..', '.hidden', '-x', 'a/b', 'a\\b', 'a b', 'a\u0000b', 'ä', long(129), '']) assert.ok(!SUBSCRIPTION_ID.test(bad), bad);
});

const SUB = { id: '123-ABC-456', name: 'Acme', timeZone: 'UTC', admins: ['u1'], imsOrg: { id: 'ORG@AdobeOrg', name: 'Acme', claimedDomains: ['example.com'] } };

test('a subscription id that could reach a path is refused at its place; over-long texts are too_long', () => {
  const text = JSON.stringify({ ...SUB, id: '../../etc/passwd' }, null, 2);
  assert.deepEqual(problems(() => parseSubscriptionJson(text, 'sub.json')), ['sub.json:2:9 invalid_field id']);
  const tooLong = JSON.stringify({ ...SUB, name: long(FIELD_LIMITS.name + 1), admins: ['u1', 'u'.repeat(FIELD_LIMITS.id + 1)], imsOrg: { ...SUB.imsOrg, claimedDomains: [`${long(250)}.com`] } });
  const at = (value: string): number => tooLong.indexOf(`"${value}`) + 1;
  assert.deepEqual(problems(() => parseSubscriptionJson(tooLong, 'sub.json')), [
    `sub.json:1:${at(long(FIELD_LIMITS.name + 1))} too_long name`,
    `sub.json:1:${at('u'.repeat(FIELD_LIMITS.id + 1))} too_long admins[1]`,
    `sub.json:1:${at(`${long(250)}.com`)} too_long imsOrg.claimedDomains[0]`,
  ]);
  assert.throws(() => parseSubscriptionJson(tooLong, 'sub.json'), /name: expected at most 256 characters, got "x{80}…" \(257 characters\)/);
});

const HEADER = 'id,login,email,email_verified,first_name,last_name,status,api_only,sso,last_login,access';

test('product users CSV: every capped field, and an extra column, at its cell', () => {
  const row = [long(FIELD_LIMITS.id + 1), long(FIELD_LIMITS.login + 1), `${long(FIELD_LIMITS.email)}@x`, 'true', long(FIELD_LIMITS.name + 1), 'B', 'active', 'false', 'false', '', ''].join(',');
  assert.deepEqual(problems(() => parseProductUsersCsv(`${HEADER}\n${row}\n`, 'users.csv')), [
    'users.csv:2:1 too_long id',
    'users.csv:2:131 too_long login',
    'users.csv:2:453 too_long email',
    'users.csv:2:781 too_long first_name',
  ]);
  const ok = 'u1,alice,alice@example.com,true,A,B,active,false,false,,Default/Main:Admin';
  assert.deepEqual(problems(() => parseProductUsersCsv(`${HEADER},notes\n${ok},${long(FIELD_LIMITS.attributeValue + 1)}\n`, 'users.csv')), ['users.csv:2:76 too_long notes']);
  assert.deepEqual(problems(() => parseProductUsersCsv(`${HEADER},${long(FIELD_LIMITS.attributeName + 1)}\n${ok},x\n`, 'users.csv')), [`users.csv:1:${HEADER.length + 2} too_long`]);
  assert.deepEqual(problems(() => parseProductUsersCsv(`${HEADER}\n${ok.replace(/,[^,]*$/, `,${'w/p:r;'.repeat(11_000)}`)}\n`, 'users.csv')), [`users.csv:2:${ok.lastIndexOf(',') + 2} too_long access`]);
});

test('product users JSON lines: too_long names the key, at its column', () => {
  const user = { id: 'u1', login: 'a', email: 'a@example.com', email_verified: true, first_name: 'A', last_name: 'B', status: 'active', api_only: false, sso: false, last_login: null, access: '' };
  const line = JSON.stringify({ ...user, notes: { big: long(FIELD_LIMITS.attributeValue) } });
  assert.deepEqual(problems(() => parseProductUsersJsonl(line, 'users.jsonl')), [
    `users.jsonl:1:${line.indexOf('"notes":') + 9} too_long notes`,
  ]);
  const line2 = JSON.stringify({ ...user, last_name: long(FIELD_LIMITS.name + 1) });
  assert.deepEqual(problems(() => parseProductUsersJsonl(line2, 'users.jsonl')), [`users.jsonl:1:${line2.indexOf('"last_name":') + 13} too_long last_name`]);
});

const IMS_HEADER = 'Identity Type,Username,Domain,Email,First Name,Last Name,Country Code,ID';

test('IMS directory: capped columns are too_long; a Domain cell that is not a domain is invalid; a bad email domain matches nothing', () => {
  const row = 'Federated ID,jdoe,,jdoe@example.com,J,D,US,';
  assert.deepEqual(problems(() => parseImsDirectoryCsv(`${IMS_HEADER}\n${row}${long(FIELD_LIMITS.id + 1)}\n`, 'ims.csv')), [`ims.csv:2:${row.length + 1} too_long ID`]);
  assert.deepEqual(problems(() => parseImsDirectoryCsv(`${IMS_HEADER}\nFederated ID,jdoe,not a domain,jdoe@example.com,J,D,US,A1\n`, 'ims.csv')), ['ims.csv:2:19 invalid_value Domain']);
  const [account] = parseImsDirectoryCsv(`${IMS_HEADER}\nFederated ID,jdoe,,jdoe@bad_domain,J,D,US,A1\n`, 'ims.csv', { claimedDomains: ['bad_domain', 'example.com'] });
  assert.equal(account?.domain, '');
  assert.equal(account?.emailVerified, false);
});

test('tickets: an over-long body is too_long at the body', () => {
  const line = JSON.stringify({ id: 'T-1', subject: 's', submitter: '1004', status: 'open', created: '2026-01-05T10:00:00Z', messages: [{ author: null, at: '2026-01-05T10:00:00Z', body: long(FIELD_LIMITS.body + 1) }] });
  assert.deepEqual(problems(() => parseTicketsJsonl(line, 'tickets.jsonl')), [`tickets.jsonl:1:${line.indexOf('"body":') + 8} too_long messages[0].body`]);
});
