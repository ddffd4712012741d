import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImportErrors } from './import-error.ts';
import { isDeeperThan, JsonSyntaxProblem, MAX_JSON_DEPTH, parseLocatedJson } from './json-locator.ts';
import { parseProductUsersJsonl } from './product-users.ts';
import { parseSubscriptionJson } from './subscription.ts';
import { parseTicketsCsv, parseTicketsJsonl } from './tickets.ts';

/** `depth` arrays inside each other: `[[[]]]` is depth 3. */
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Every problem of a parse, as `file:line:column code`; a RangeError (stack overflow) fails the test. */
function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ImportErrors) return e.errors.map((x) => `${x.file}:${x.line}:${x.column} ${x.code}${x.field ? ` ${x.field}` : ''}`);
    throw e;
  }
  return [];
}

test(`the locating parser takes ${MAX_JSON_DEPTH} levels and stops at the bracket that opens one more`, () => {
  assert.ok(Array.isArray(parseLocatedJson(nested(MAX_JSON_DEPTH)).value));
  assert.throws(() => parseLocatedJson(nested(MAX_JSON_DEPTH + 1)), (e: unknown) => e instanceof JsonSyntaxProblem && e.code === 'json_too_deep' && e.offset === MAX_JSON_DEPTH);
  // A hundred thousand levels: a plain recursive parser overflows the stack here.
  assert.throws(() => parseLocatedJson(nested(100_000)), (e: unknown) => e instanceof JsonSyntaxProblem && e.code === 'json_too_deep');
});

test('isDeeperThan counts arrays and objects alike, and walks a deep value without overflowing', () => {
  assert.equal(isDeeperThan(JSON.parse(nested(MAX_JSON_DEPTH))), false);
  assert.equal(isDeeperThan(JSON.parse(nested(MAX_JSON_DEPTH + 1))), true);
  assert.equal(isDeeperThan({ a: { b: [{}] } }, 3), true);
  assert.equal(isDeeperThan({ a: { b: [1] } }, 3), false);
  assert.equal(isDeeperThan('text', 0), false);
  assert.equal(isDeeperThan(JSON.parse(nested(200_000))), true);
});

const USER = { id: 'u1', login: 'a', email: 'a@example.com', email_verified: true, first_name: 'A', last_name: 'B', status: 'active', api_only: false, sso: false, last_login: null, access: '' };

test('product users JSON lines: a deep extra field is json_too_deep on its line, the other lines still read', () => {
  const deep = JSON.stringify(USER).replace(/}$/, `,"extra":${nested(100_000)}}`);
  const text = `${JSON.stringify(USER)}\n${deep}\n${JSON.stringify({ ...USER, id: 'u3' })}\n`;
  // The line's object is the first level, so the 64th `[` is one too many: at 0-based offset indexOf('[') + 63.
  const column = deep.indexOf('[') + MAX_JSON_DEPTH;
  assert.deepEqual(problems(() => parseProductUsersJsonl(text, 'users.jsonl')), [`users.jsonl:2:${column} json_too_deep`]);
});

test('a deep and broken line is json_too_deep too (the first problem found)', () => {
  assert.deepEqual(problems(() => parseProductUsersJsonl(`{"x":${'['.repeat(100)}\n`, 'users.jsonl')), [`users.jsonl:1:${6 + MAX_JSON_DEPTH - 1} json_too_deep`]);
});

test('a subscription file nested too deep names the line and column', () => {
  const text = `{\n  "id": "123-ABC-456",\n  "name": ${nested(50_000)}\n}`;
  assert.deepEqual(problems(() => parseSubscriptionJson(text, 'sub.json')), [`sub.json:3:${11 + MAX_JSON_DEPTH - 1} json_too_deep`]);
});

test('tickets: a deep messages cell (CSV) and a deep extra key (JSON lines) are json_too_deep', () => {
  const csv = `id,subject,submitter,status,created,messages\nT-1,s,1004,open,2026-01-05T10:00:00Z,${nested(10_000)}\n`;
  assert.deepEqual(problems(() => parseTicketsCsv(csv, 'tickets.csv')), [`tickets.csv:2:${38 + MAX_JSON_DEPTH} json_too_deep messages`]);
  const line = `{"id":"T-1","subject":"s","submitter":"1004","status":"open","created":"2026-01-05T10:00:00Z","messages":[],"x":${nested(10_000)}}`;
  assert.deepEqual(problems(() => parseTicketsJsonl(line, 'tickets.jsonl')), [`tickets.jsonl:1:${line.indexOf('"x":') + 4 + MAX_JSON_DEPTH} json_too_deep`]);
});
