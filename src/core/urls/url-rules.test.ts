import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileUrlRules, rewriteUrl } from './url-rules.ts';
import { UrlRulesError } from './url-rules-error.ts';
import type { UrlRule } from './url-rule-types.ts';

const engage: UrlRule = {
  id: 'engage',
  match: { hosts: ['old.example', '127.0.0.1:4100'], path: '/app-ab12/', fragment: '{report}' },
  target: 'https://new.example/#/@{org}/so:{subscription}/engage/{capture.report}',
  fallback: 'https://new.example/#/@{org}/so:{subscription}/engage',
  org: 'acme',
  subscription: '123-ABC-456',
};
const files: UrlRule = {
  id: 'files',
  match: { hosts: ['old.example'], path: '/app-ab12/files/{rest*}' },
  target: 'https://new.example/acme/files/{capture.rest}',
  query: { keep: ['page'] },
  status: 308,
};
const rules = compileUrlRules({ allowedHosts: ['new.example'], rules: [engage, files] });

const cases: [string, string | null | string][] = [
  ['http://old.example/app-ab12/#RP1234A1', 'https://new.example/#/@acme/so:123-ABC-456/engage/RP1234A1'],
  ['HTTP://OLD.EXAMPLE:80/app-ab12#RP1234A1', 'https://new.example/#/@acme/so:123-ABC-456/engage/RP1234A1'],
  ['http://127.0.0.1:4100/app-ab12/#RP1', 'https://new.example/#/@acme/so:123-ABC-456/engage/RP1'],
  ['http://old.example/app-ab12/', 'https://new.example/#/@acme/so:123-ABC-456/engage'],
  ['http://old.example/app-ab12/#a/b', 'https://new.example/#/@acme/so:123-ABC-456/engage'],
  ['http://old.example/app-ab12/files/q1/report.pdf?page=2&token=s3cret', 'https://new.example/acme/files/q1/report.pdf?page=2'],
  ['http://old.example/app-ab12/files/a%20b', 'https://new.example/acme/files/a%20b'],
  ['http://old.example/app-ab12/files/caf\u00e9', 'https://new.example/acme/files/caf%C3%A9'],
  ['http://other.example/app-ab12/#RP1', null],
  ['http://old.example/app-cd34/#RP1', null],
  ['mailto:someone@old.example', null],
  ['not a url', null],
];
for (const [from, to] of cases) {
  test(`rewriteUrl: ${from} -> ${to ?? 'unmatched'}`, () => {
    const r = rewriteUrl(from, rules);
    if (to === null) assert.deepEqual(r, { kind: 'unmatched' });
    else assert.equal(r.kind === 'rewritten' ? r.url : JSON.stringify(r), to);
  });
}

test('rewriteUrl reports the rule, the status and whether the fallback was used', () => {
  assert.deepEqual(rewriteUrl('http://old.example/app-ab12/files/x', rules), { kind: 'rewritten', url: 'https://new.example/acme/files/x', ruleId: 'files', status: 308, fallback: false });
  const r = rewriteUrl('http://old.example/app-ab12/', rules);
  assert.equal(r.kind === 'rewritten' && r.fallback, true);
});

test('captures that decode to control characters or backslashes are refused, not rewritten', () => {
  for (const bad of ['%0d%0aLocation:%20https://evil', '%5Cevil', '%00', '%E0%A4%A']) {
    const r = rewriteUrl(`http://old.example/app-ab12/files/${bad}`, rules);
    assert.equal(r.kind, 'refused', bad);
  }
  assert.deepEqual(rewriteUrl('http://old.example/app-ab12/#%0A', rules), { kind: 'refused', reason: 'unsafe_capture', ruleId: 'engage' });
});

test('userinfo and backslash tricks are read as a browser reads them', () => {
  assert.deepEqual(rewriteUrl('http://old.example@evil.example/app-ab12/#RP1', rules), { kind: 'unmatched' });
  assert.deepEqual(rewriteUrl('http://evil.example\\@old.example/app-ab12/#RP1', rules), { kind: 'unmatched' });
  const r = rewriteUrl('http://old.example/app-ab12/files/@evil.example', rules);
  assert.ok(r.kind === 'rewritten' && new URL(r.url).host === 'new.example');
});

test('a rule whose target matches a rule again is refused (no loops, idempotent)', () => {
  const loop = compileUrlRules({ allowedHosts: ['new.example'], rules: [{ match: { path: '/{x*}' }, target: 'https://new.example/{capture.x}' }] });
  assert.deepEqual(rewriteUrl('http://any.example/a', loop), { kind: 'refused', reason: 'would_loop', ruleId: 'rules[0]' });
});

test('query: keep appends before the fragment; drop is the default', () => {
  const c = compileUrlRules({ allowedHosts: ['new.example'], rules: [
    { match: { hosts: ['old.example'], path: '/k/{id}' }, target: 'https://new.example/?v=1#/r/{capture.id}', query: 'keep' },
    { match: { hosts: ['old.example'], path: '/d/{id}' }, target: 'https://new.example/r/{capture.id}' },
  ] });
  assert.equal((rewriteUrl('http://old.example/k/7?a=1&b=%20', c) as { url: string }).url, 'https://new.example/?v=1&a=1&b=%20#/r/7');
  assert.equal((rewriteUrl('http://old.example/d/7?a=1', c) as { url: string }).url, 'https://new.example/r/7');
});

test('custom capture expressions and the allow-list given as an http origin', () => {
  const c = compileUrlRules({ allowedHosts: ['http://127.0.0.1:4000'], rules: [
    { match: { path: '/app-{instance:[a-z]{2}[0-9]{2}}/', fragment: '{id:RP[0-9]{4}[A-Z][0-9]}' }, target: 'http://127.0.0.1:4000/#/{capture.instance}/{capture.id}' },
  ] });
  assert.equal((rewriteUrl('http://x/app-ab12/#RP1234A1', c) as { url: string }).url, 'http://127.0.0.1:4000/#/ab12/RP1234A1');
  assert.deepEqual(rewriteUrl('http://x/app-ab12/#RP12', c), { kind: 'unmatched' });
});

function problems(file: unknown, allowedHosts?: string[]): string[] {
  try {
    compileUrlRules(file, allowedHosts ? { allowedHosts } : {});
  } catch (e) {
    assert.ok(e instanceof UrlRulesError);
    assert.equal(e.code, 'invalid_rules');
    return e.problems;
  }
  return [];
}

test('validation: path-qualified problems, all of them at once', () => {
  const p = problems({ allowedHosts: ['new.example'], rules: [
    { match: { path: '/a' }, target: 'https://new.example/' },
    { match: { path: '/b' }, target: 'https://new.example/' },
    { match: { path: '/c/{x}' }, target: 'https://new.example/{foo}/{capture.y}' },
    { match: { path: 'no-slash' }, target: 'https://new.example{capture.x}' },
    { match: { path: '/e' }, target: 'https://evil.example/' },
    { match: { path: '/f' }, target: 'https://u@new.example/' },
    { match: { path: '/g' }, target: 'https://new.example/#/{fragment}/{org}' },
    { match: { path: '/h/{fragment}' }, target: 'https://new.example/', status: 302, query: 'sometimes', colour: 'red' },
    { match: { path: '/i', fragment: '{a:(}' }, target: 'https://new.example/', fallback: 'https://new.example/{fragment}' },
    { match: { path: '/j', hosts: ['bad host'] }, target: 'https://new.example/', examples: [{ from: 'http://x/j', to: 'https://new.example/other' }] },
  ] });
  const expected = [
    'rules[2].target: unknown placeholder {foo}',
    'rules[2].target: {capture.y} is not captured by match.path or match.fragment',
    'rules[3].match.path: must start with /',
    'rules[3].target: must start with http:// or https:// and a host written out, followed by / ? or # before any placeholder',
    'rules[4].target: https://evil.example is not in the allow-list (allowedHosts)',
    'rules[5].target: must not contain user information (user@host)',
    'rules[6].target: {fragment} needs a fragment rule (match.fragment) and cannot be used in a fallback',
    'rules[6].target: {org} needs rules[6].org',
    'rules[7].match.path: capture name "fragment" is reserved; choose another',
    'rules[7].query: must be "drop", "keep" or { "keep": ["name", ...] }',
    'rules[7].status: must be 301 or 308',
    'rules[7].colour: unknown field',
    'rules[8].match.fragment: {a:…} is not a valid regular expression without named groups',
    'rules[8].fallback: {fragment} needs a fragment rule (match.fragment) and cannot be used in a fallback',
    'rules[9].match.hosts[0]: "bad host" is not a host or host:port',
  ];
  for (const e of expected) assert.ok(p.includes(e), `missing: ${e}\n got: ${p.join('\n')}`);
});

test('validation: examples are checked once the rules compile', () => {
  const p = problems({ allowedHosts: ['new.example'], rules: [
    { match: { hosts: ['x'], path: '/j' }, target: 'https://new.example/j', examples: [{ from: 'http://x/j', to: 'https://new.example/other' }, { from: 'http://x/k', to: null }] },
  ] });
  assert.deepEqual(p, ['rules[0].examples[0]: http://x/j gives https://new.example/j, expected https://new.example/other']);
});

test('validation: an allow-list is required and must hold hosts or origins', () => {
  assert.deepEqual(problems({ rules: [] }), ['allowedHosts: name at least one host new URLs may point to']);
  assert.deepEqual(problems({ allowedHosts: ['https://new.example/path', 'a b'], rules: [] }), [
    'allowedHosts[0]: "https://new.example/path" is not a host (new.example, new.example:8443) or an origin (https://new.example)',
    'allowedHosts[1]: "a b" is not a host (new.example, new.example:8443) or an origin (https://new.example)',
  ]);
  assert.deepEqual(problems({ rules: [] }, ['new.example']), []);
});

test('compiled rules are plain data plus regexes built once', () => {
  assert.equal(rules.rules.length, 2);
  assert.ok(rules.rules[0]!.path instanceof RegExp);
  assert.equal(rules.byHost.get('old.example')!.all.length, 2);
  assert.equal(rules.byHost.get('127.0.0.1:4100')!.all.length, 1);
  assert.deepEqual([...rules.byHost.get('old.example')!.bySegment.keys()], ['app-ab12']);
  assert.equal(rules.mayLoop, false);
});
