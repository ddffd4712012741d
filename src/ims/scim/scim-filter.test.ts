import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScimError } from './scim-error.ts';
import { compileScimFilter, parseScimFilter } from './scim-filter.ts';
import { parseScimPath } from './scim-path.ts';
import { resolveGroupAttribute, resolveUserAttribute } from './scim-resource-filters.ts';
import { GROUP_SCHEMA, USER_SCHEMA } from './scim-schemas.ts';

const users = (text: string) => compileScimFilter(text, USER_SCHEMA, resolveUserAttribute);
const ALWAYS = { op: 'pr', attr: 'id' };

// Every example filter of RFC 7644 §3.4.2.2 parses.
const RFC_EXAMPLES = [
  'userName Eq "john"',
  'userName eq "bjensen"',
  'name.familyName co "O\'Malley"',
  'userName sw "J"',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
  'title pr',
  'meta.lastModified gt "2011-05-13T04:42:34Z"',
  'meta.lastModified ge "2011-05-13T04:42:34Z"',
  'meta.lastModified lt "2011-05-13T04:42:34Z"',
  'meta.lastModified le "2011-05-13T04:42:34Z"',
  'title pr and userType eq "Employee"',
  'title pr or userType eq "Intern"',
  'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
  'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
  'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
  'userType eq "Employee" and (emails.type eq "work")',
  'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
  'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
];

test('RFC 7644 §3.4.2.2: every example filter parses', () => {
  for (const example of RFC_EXAMPLES) assert.doesNotThrow(() => parseScimFilter(example), example);
});

test('operators and attribute names are case-insensitive; the URN-qualified name equals the short one', () => {
  assert.deepEqual(users('userName Eq "john"'), { op: 'eq', attr: 'userName', value: 'john' });
  assert.deepEqual(users('USERNAME eq "john"'), users('userName eq "john"'));
  assert.deepEqual(users('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"'), { op: 'sw', attr: 'userName', value: 'J' });
});

test('"and" binds tighter than "or"; parentheses override; not needs parentheses', () => {
  assert.deepEqual(users('userName eq "a" or userName eq "b" and externalId eq "c"'), {
    op: 'or',
    filters: [
      { op: 'eq', attr: 'userName', value: 'a' },
      { op: 'and', filters: [{ op: 'eq', attr: 'userName', value: 'b' }, { op: 'eq', attr: 'externalId', value: 'c' }] },
    ],
  });
  assert.deepEqual(users('(userName eq "a" or userName eq "b") and externalId eq "c"'), {
    op: 'and',
    filters: [
      { op: 'or', filters: [{ op: 'eq', attr: 'userName', value: 'a' }, { op: 'eq', attr: 'userName', value: 'b' }] },
      { op: 'eq', attr: 'externalId', value: 'c' },
    ],
  });
  assert.deepEqual(users('not (externalId pr)'), { op: 'not', filter: { op: 'pr', attr: 'externalId' } });
  assert.throws(() => users('not externalId pr'), invalidFilter);
});

test('chains of one operator flatten into one n-ary node', () => {
  assert.deepEqual(users('userName eq "a" or userName eq "b" or userName eq "c"'), {
    op: 'or',
    filters: ['a', 'b', 'c'].map((value) => ({ op: 'eq', attr: 'userName', value })),
  });
});

test('emails, emails.value and emails[value eq ...] all filter the email', () => {
  const expected = { op: 'eq', attr: 'email', value: 'x@y.test' };
  assert.deepEqual(users('emails eq "x@y.test"'), expected);
  assert.deepEqual(users('emails.value eq "x@y.test"'), expected);
  assert.deepEqual(users('emails[value eq "x@y.test"]'), expected);
  assert.deepEqual(users('emails[type eq "work" and value co "@example.com"]'), {
    op: 'and', filters: [ALWAYS, { op: 'co', attr: 'email', value: '@example.com' }],
  });
  assert.deepEqual(users('emails.type eq "home"'), { op: 'not', filter: ALWAYS });
});

test('active and the IMS extension map to status, emailVerified and type', () => {
  // Active in the org: the account is enabled and its membership not deactivated by the org.
  const isActive = { op: 'and', filters: [{ op: 'eq', attr: 'status', value: 'active' }, { op: 'not', filter: { op: 'pr', attr: 'suspended' } }] };
  assert.deepEqual(users('active eq true'), isActive);
  assert.deepEqual(users('active eq false'), { op: 'not', filter: isActive });
  assert.deepEqual(users('meta.lastModified gt "2011-05-13T04:42:34Z"'), { op: 'gt', attr: 'updatedAt', value: '2011-05-13T04:42:34.000Z' });
  assert.deepEqual(users('urn:rehome:params:scim:schemas:extension:ims:2.0:User:emailVerified eq true'), { op: 'eq', attr: 'emailVerified', value: true });
  assert.deepEqual(users('urn:rehome:params:scim:schemas:extension:ims:2.0:User:type eq "personal"'), { op: 'eq', attr: 'type', value: 'personal' });
});

test('string values are JSON strings: escapes decode, quotes inside work', () => {
  assert.deepEqual(users('name.familyName co "O\'Malley"'), { op: 'co', attr: 'lastName', value: "O'Malley" });
  assert.deepEqual(users('userName eq "a\\"b\\u00e9"'), { op: 'eq', attr: 'userName', value: 'a"bé' });
});

test('groups filter on displayName, id and the subscriptionId extension', () => {
  assert.deepEqual(compileScimFilter('displayName eq "Sales"', GROUP_SCHEMA, resolveGroupAttribute), { op: 'eq', attr: 'name', value: 'Sales' });
  assert.deepEqual(
    compileScimFilter('urn:rehome:params:scim:schemas:extension:ims:2.0:Group:subscriptionId eq "123-ABC-456"', GROUP_SCHEMA, resolveGroupAttribute),
    { op: 'eq', attr: 'subscriptionId', value: '123-ABC-456' },
  );
});

function invalidFilter(error: unknown): boolean {
  return error instanceof ScimError && error.status === 400 && error.scimType === 'invalidFilter';
}

test('malformed or unsupported filters are 400 invalidFilter, with a position', () => {
  const bad = [
    '', 'userName', 'userName eq', 'userName eq bjensen', 'userName zz "a"', '(userName eq "a"', 'userName eq "a")',
    'userName eq "a" and', 'userName eq "unterminated', 'userName eq "bad \\x escape"', 'emails[value eq "a"', 'emails[type eq "w"][value eq "a"]',
    'a..b eq "x"', 'userName eq "a" userName eq "b"', 'meta.lastModified gt "yesterday"', 'meta.lastModified co "2011"', 'title pr',
    'userName gt "a"', 'active eq "yes"', '((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((userName pr))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))',
  ];
  for (const text of bad) assert.throws(() => users(text), invalidFilter, text);
  assert.throws(() => users('userName eq'), /at the end/);
  assert.throws(() => users('userName zz "a"'), /at character 10/);
});

test('RFC 7644 §3.5.2: PATCH paths, with value filters and sub-attributes', () => {
  assert.deepEqual(parseScimPath('name.givenName'), { attr: { attr: 'name', subAttr: 'givenName' } });
  const members = parseScimPath('members[value eq "2819c223-7f76-453a-919d-413861904646"]');
  assert.equal(members.attr.attr, 'members');
  assert.equal(members.filter?.type, 'compare');
  const sub = parseScimPath('addresses[type eq "work"].streetAddress');
  assert.equal(sub.subAttr, 'streetAddress');
  assert.deepEqual(parseScimPath('urn:rehome:params:scim:schemas:extension:ims:2.0:User:emailVerified').attr, {
    schema: 'urn:rehome:params:scim:schemas:extension:ims:2.0:User', attr: 'emailVerified',
  });
  for (const bad of ['members[value eq "x"', 'members[value eq "x"]value', 'name.givenName[value eq "x"]', '"name"', 'name givenName']) {
    assert.throws(() => parseScimPath(bad), (e: unknown) => e instanceof ScimError && e.scimType === 'invalidPath', bad);
  }
});

test('Entra ID\'s emails[type eq "work"].value eq "x" reads as emails[type eq "work" and value eq "x"]', () => {
  assert.deepEqual(
    parseScimFilter('emails[type eq "work"].value eq "a@b.test"'),
    parseScimFilter('emails[type eq "work" and value eq "a@b.test"]'),
  );
  assert.deepEqual(users('emails[type eq "work"].value eq "a@b.test"'), users('emails[type eq "work" and value eq "a@b.test"]'));
  assert.deepEqual(parseScimFilter('emails[type eq "work"].value pr'), parseScimFilter('emails[type eq "work" and value pr]'));
  for (const bad of ['emails[type eq "work"].value', 'emails[type eq "work"].value zz "x"', 'emails[type eq "work"].va.lue eq "x"', 'emails[type eq "work"]. eq "x"']) {
    assert.throws(() => parseScimFilter(bad), (e: unknown) => e instanceof ScimError && e.scimType === 'invalidFilter', bad);
  }
});
