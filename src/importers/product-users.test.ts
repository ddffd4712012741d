import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProductUsersCsv, parseProductUsersJsonl, readProductUsers } from './product-users.ts';
import { ImportError, ImportErrors } from './import-error.ts';
import type { ProductUser } from '../core/model.ts';

const HEADER = 'id,login,email,email_verified,first_name,last_name,status,api_only,sso,last_login,access';
const ROW = 'u1,alice,alice@example.com,true,Alice,Smith,active,false,false,2024-05-01T09:30:00Z,Default/Main:Admin';

const ALICE: ProductUser = {
  id: 'u1',
  login: 'alice',
  email: 'alice@example.com',
  emailVerified: true,
  firstName: 'Alice',
  lastName: 'Smith',
  status: 'active',
  apiOnly: false,
  sso: false,
  lastLogin: '2024-05-01T09:30:00.000Z',
  access: [{ workspace: 'Default', partition: 'Main', role: 'Admin' }],
  expiresAt: null,
  locked: false,
  attributes: {},
};

/** Every problem of a parse, as `file:line:column code field`. */
function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ImportErrors) return e.errors.map((x) => `${x.file}:${x.line}:${x.column} ${x.code} ${x.field ?? ''}`.trim());
    throw e;
  }
  return [];
}

test('CSV: a plain row', () => {
  assert.deepEqual(parseProductUsersCsv(`${HEADER}\n${ROW}\n`, 'users.csv'), [ALICE]);
});

const good: { name: string; text: string; expect: Partial<ProductUser> }[] = [
  { name: 'BOM and CRLF', text: `\ufeff${HEADER}\r\n${ROW}\r\n`, expect: {} },
  { name: 'headers in any case, trimmed', text: `${HEADER.toUpperCase().replace(',EMAIL,', ', Email ,')}\n${ROW}\n`, expect: {} },
  { name: 'camelCase and spaced headers', text: `${HEADER.replace('email_verified', 'emailVerified').replace('first_name', 'First Name')}\n${ROW}\n`, expect: {} },
  {
    name: 'columns in another order, unknown columns kept verbatim, empty header ignored',
    text: `Department,${HEADER},\n"Sales, EMEA",${ROW},\n`,
    expect: { attributes: { Department: 'Sales, EMEA' } },
  },
  { name: 'optional columns', text: `${HEADER},expires_at,locked\n${ROW},2025-01-31,TRUE\n`, expect: { expiresAt: '2025-01-31T00:00:00.000Z', locked: true } },
  { name: 'empty optional cells', text: `${HEADER},expires_at,locked\n${ROW},,\n`, expect: {} },
  { name: 'booleans 1/0 and any case', text: `${HEADER}\n${ROW.replace('true,Alice', '1,Alice').replace('false,false', 'FALSE,0')}\n`, expect: {} },
  {
    name: 'quoted names with commas and newlines, spaces trimmed',
    text: `${HEADER}\n${ROW.replace('Alice,Smith', '" Alice ","Smith,\nJr."')}\n`,
    expect: { lastName: 'Smith,\nJr.' },
  },
  { name: 'empty last_login and access', text: `${HEADER}\n${ROW.replace(',2024-05-01T09:30:00Z,Default/Main:Admin', ',,')}\n`, expect: { lastLogin: null, access: [] } },
  {
    name: 'several access entries, spaces and a trailing ;',
    text: `${HEADER}\n${ROW.replace('Default/Main:Admin', '"Default/Main:Admin; Sales / EU : Standard User;"')}\n`,
    expect: { access: [{ workspace: 'Default', partition: 'Main', role: 'Admin' }, { workspace: 'Sales', partition: 'EU', role: 'Standard User' }] },
  },
  { name: 'offset time zone normalised', text: `${HEADER}\n${ROW.replace('2024-05-01T09:30:00Z', '2024-05-01 11:30:00.5+0200')}\n`, expect: { lastLogin: '2024-05-01T09:30:00.500Z' } },
  { name: 'status in capitals', text: `${HEADER}\n${ROW.replace('active', 'Invited')}\n`, expect: { status: 'invited' } },
  { name: 'email kept as given (readiness judges it)', text: `${HEADER}\n${ROW.replace('alice@example.com', ' bob@ ')}\n`, expect: { email: 'bob@' } },
  { name: 'login may differ from email', text: `${HEADER}\n${ROW.replace('alice,', 'ALICE.S,')}\n`, expect: { login: 'ALICE.S' } },
];

for (const c of good) {
  test(`CSV: ${c.name}`, () => {
    assert.deepEqual(parseProductUsersCsv(c.text, 'users.csv'), [{ ...ALICE, ...c.expect }]);
  });
}

const bad: { name: string; text: string; problems: string[]; message?: string }[] = [
  {
    name: 'bad boolean',
    text: `${HEADER}\n${ROW.replace('true,Alice', 'yes,Alice')}\n`,
    problems: ['users.csv:2:28 invalid_value email_verified'],
    message: 'users.csv:2:28: email_verified: expected true or false, got "yes"',
  },
  { name: 'bad status', text: `${HEADER}\n${ROW.replace('active', 'gone')}\n`, problems: ['users.csv:2:45 invalid_value status'] },
  { name: 'datetime without zone', text: `${HEADER}\n${ROW.replace('09:30:00Z', '09:30:00')}\n`, problems: ['users.csv:2:64 invalid_value last_login'] },
  { name: 'impossible date', text: `${HEADER}\n${ROW.replace('2024-05-01', '2023-02-29')}\n`, problems: ['users.csv:2:64 invalid_value last_login'] },
  {
    name: 'malformed access entry',
    text: `${HEADER}\n${ROW.replace('Default/Main:Admin', '"Default/Main:Admin;Sales-EU"')}\n`,
    problems: ['users.csv:2:85 invalid_value access'],
    message: 'users.csv:2:85: access: expected workspace/partition:role entries separated by ";", got "Sales-EU"',
  },
  { name: 'empty id', text: `${HEADER}\n${ROW.replace('u1,', ',')}\n`, problems: ['users.csv:2:1 invalid_value id'] },
  {
    name: 'duplicate id names both lines',
    text: `${HEADER}\n${ROW}\n\n${ROW}\n`,
    problems: ['users.csv:4:1 duplicate_id id'],
    message: 'users.csv:4:1: id: expected a unique id, got "u1" (also on line 2)',
  },
  {
    name: 'missing columns, all named',
    text: `id,email\nu1,a@b.c\n`,
    problems: ['login', 'email_verified', 'first_name', 'last_name', 'status', 'api_only', 'sso', 'last_login', 'access'].map((f) => `users.csv:1:1 missing_column ${f}`),
  },
  { name: 'duplicate column', text: `${HEADER},Email\n${ROW},x\n`, problems: ['users.csv:1:90 duplicate_column Email'] },
  { name: 'empty file', text: '', problems: ['users.csv:undefined:undefined empty_file'] },
  {
    name: 'several problems in one go, in file order',
    text: `${HEADER}\n${ROW.replace('false,false', 'no,maybe')}\n${ROW.replace('u1', 'u2').replace('"', '')},extra\n`,
    problems: ['users.csv:2:52 invalid_value api_only', 'users.csv:2:55 invalid_value sso', 'users.csv:3:104 field_count'],
  },
  { name: 'a field after a multi-line quoted cell', text: `${HEADER}\n${ROW.replace('Alice,Smith', '"A\nB",Smith').replace('active', 'nope')}\n`, problems: ['users.csv:3:10 invalid_value status'] },
];

for (const c of bad) {
  test(`CSV error: ${c.name}`, () => {
    assert.deepEqual(problems(() => parseProductUsersCsv(c.text, 'users.csv')), c.problems);
    if (c.message !== undefined) {
      assert.throws(() => parseProductUsersCsv(c.text, 'users.csv'), (e: ImportErrors) => e.errors[0]?.message === c.message);
    }
  });
}

test('CSV: stops after maxErrors and says so', () => {
  const rows = Array.from({ length: 10 }, (_, i) => ROW.replace('u1', `u${i}`).replace('active', 'x')).join('\n');
  assert.throws(
    () => parseProductUsersCsv(`${HEADER}\n${rows}\n`, 'users.csv', { maxErrors: 3 }),
    (e: unknown) => e instanceof ImportErrors && e.errors.length === 3 && e.truncated && /stopped after 3/.test(e.message),
  );
});

const JSON_ALICE = {
  id: 'u1',
  login: 'alice',
  email: 'alice@example.com',
  email_verified: true,
  first_name: 'Alice',
  last_name: 'Smith',
  status: 'active',
  api_only: false,
  sso: false,
  last_login: '2024-05-01T09:30:00Z',
  access: 'Default/Main:Admin',
};

const goodJsonl: { name: string; text: string; expect: Partial<ProductUser>[] }[] = [
  { name: 'snake_case', text: `${JSON.stringify(JSON_ALICE)}\n`, expect: [{}] },
  {
    name: 'camelCase, access as objects, BOM, CRLF, blank lines',
    text: `\ufeff\r\n${JSON.stringify({ ...JSON_ALICE, email_verified: undefined, emailVerified: true, access: [{ workspace: 'Default', partition: 'Main', role: 'Admin' }] })}\r\n\r\n`,
    expect: [{}],
  },
  {
    name: 'numeric id, nulls, boolean strings, unknown keys kept as text',
    text: `${JSON.stringify({ ...JSON_ALICE, id: 7, last_login: null, access: null, sso: 'FALSE', dept: 'Sales', tags: ['a'] })}\n`,
    expect: [{ id: '7', lastLogin: null, access: [], attributes: { dept: 'Sales', tags: '["a"]' } }],
  },
];

for (const c of goodJsonl) {
  test(`JSONL: ${c.name}`, () => {
    assert.deepEqual(parseProductUsersJsonl(c.text, 'users.jsonl'), c.expect.map((e) => ({ ...ALICE, ...e })));
  });
}

const badJsonl: { name: string; text: string; problems: string[] }[] = [
  { name: 'syntax error with column', text: `${JSON.stringify(JSON_ALICE)}\n{"id": "u2", x}\n`, problems: ['users.jsonl:2:14 json_syntax'] },
  { name: 'syntax error after a BOM', text: `\ufeff{"id" "u2"}\n`, problems: ['users.jsonl:1:8 json_syntax'] },
  { name: 'not an object', text: `[1,2]\n`, problems: ['users.jsonl:1:1 invalid_field'] },
  {
    name: 'missing field',
    text: `${JSON.stringify({ ...JSON_ALICE, sso: undefined })}\n`,
    problems: ['users.jsonl:1:1 missing_field sso'],
  },
  { name: 'wrong type, at the value', text: `{"id":"u1","login":"a","email":"a@b.c","email_verified":"y"}\n`.replace('}', ',"first_name":"A","last_name":"B","status":"active","api_only":false,"sso":false,"last_login":null,"access":""}'), problems: ['users.jsonl:1:57 invalid_field email_verified'] },
  { name: 'bad value, at the value', text: `${JSON.stringify({ ...JSON_ALICE, status: 'gone' })}\n`, problems: ['users.jsonl:1:128 invalid_field status'] },
  { name: 'boolean as a number', text: `${JSON.stringify({ ...JSON_ALICE, sso: 1 })}\n`, problems: ['users.jsonl:1:160 invalid_field sso'] },
  { name: 'the same field twice', text: `${JSON.stringify({ ...JSON_ALICE, emailVerified: true })}\n`, problems: ['users.jsonl:1:248 invalid_field emailVerified'] },
  { name: 'duplicate id', text: `${JSON.stringify(JSON_ALICE)}\n${JSON.stringify(JSON_ALICE)}\n`, problems: ['users.jsonl:2:7 duplicate_id id'] },
  { name: 'empty file', text: '\n\n', problems: ['users.jsonl:undefined:undefined empty_file'] },
];

for (const c of badJsonl) {
  test(`JSONL error: ${c.name}`, () => {
    assert.deepEqual(problems(() => parseProductUsersJsonl(c.text, 'users.jsonl')), c.problems);
  });
}

test('readProductUsers: picks the format by extension; unreadable and unknown files are clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-users-'));
  try {
    writeFileSync(join(dir, 'u.CSV'), `${HEADER}\n${ROW}\n`);
    writeFileSync(join(dir, 'u.ndjson'), `${JSON.stringify(JSON_ALICE)}\n`);
    writeFileSync(join(dir, 'latin1.csv'), Buffer.concat([Buffer.from(`${HEADER}\n${ROW.replace('Alice,', 'Ren')}`), Buffer.from([0xe9]), Buffer.from(',\n')]));
    writeFileSync(join(dir, 'utf16.csv'), Buffer.from(`\ufeff${HEADER}`, 'utf16le'));
    assert.deepEqual(readProductUsers(join(dir, 'u.CSV')), [ALICE]);
    assert.deepEqual(readProductUsers(join(dir, 'u.ndjson')), [ALICE]);
    const codeOf = (path: string): string | undefined => {
      try {
        readProductUsers(path);
      } catch (e) {
        return e instanceof ImportError ? `${e.code} ${e.line}:${e.column}` : String(e);
      }
      return undefined;
    };
    assert.equal(codeOf(join(dir, 'missing.csv')), 'file_unreadable undefined:undefined');
    assert.equal(codeOf(join(dir, 'u.xlsx')), 'unsupported_format undefined:undefined');
    assert.equal(codeOf(join(dir, 'latin1.csv')), 'invalid_encoding 2:100');
    assert.equal(codeOf(join(dir, 'utf16.csv')), 'invalid_encoding 1:1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
