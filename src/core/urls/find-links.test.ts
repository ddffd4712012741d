import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findLinks, rewriteLinksInText } from './find-links.ts';
import { compileUrlRules } from './url-rules.ts';
import type { UrlRule } from './url-rule-types.ts';

const rules = compileUrlRules({
  allowedHosts: ['new.example'],
  rules: [
    {
      id: 'engage',
      match: { hosts: ['old.example'], path: '/app-ab12/', fragment: '{report}' },
      target: 'https://new.example/#/@{org}/so:{subscription}/engage/{capture.report}',
      fallback: 'https://new.example/#/@{org}/so:{subscription}/engage',
      org: 'acme',
      subscription: '123-ABC-456',
    },
    { id: 'files', match: { hosts: ['old.example'], path: '/app-ab12/files/{rest*}' }, target: 'https://new.example/files/{capture.rest}', query: 'keep' },
  ],
});
const NEW = 'https://new.example/#/@acme/so:123-ABC-456/engage/RP1';

const cases: [string, string, string][] = [
  ['plain URL in a sentence', 'See http://old.example/app-ab12/#RP1.', `See ${NEW}.`],
  ['parenthesised', '(see http://old.example/app-ab12/#RP1)', `(see ${NEW})`],
  ['HTML attribute with entities', '<a href="http://old.example/app-ab12/files/x?a=1&amp;b=2">r</a>', '<a href="https://new.example/files/x?a=1&amp;b=2">r</a>'],
  ['single-quoted attribute', "<a href='http://old.example/app-ab12/#RP1'>", `<a href='${NEW}'>`],
  ['markdown link', '[Q1 report](http://old.example/app-ab12/#RP1 "title")', `[Q1 report](${NEW} "title")`],
  ['markdown without title', '[r](http://old.example/app-ab12/#RP1)', `[r](${NEW})`],
  ['angle autolink', '<http://old.example/app-ab12/#RP1>', `<${NEW}>`],
  ['several links, others untouched', 'a http://old.example/app-ab12/#RP1 b https://elsewhere.example/x c http://old.example/app-ab12/#RP2',
    `a ${NEW} b https://elsewhere.example/x c https://new.example/#/@acme/so:123-ABC-456/engage/RP2`],
  ['unmatched old link left as it is', 'http://old.example/other/#x', 'http://old.example/other/#x'],
  ['link text repeating the URL', '<a href="http://old.example/app-ab12/#RP1">http://old.example/app-ab12/#RP1</a>', `<a href="${NEW}">${NEW}</a>`],
];
for (const [name, input, output] of cases) {
  test(`rewriteLinksInText: ${name}`, () => {
    const r = rewriteLinksInText(input, rules);
    assert.equal(r.text, output);
    assert.equal(r.changed, input !== output);
    assert.equal(rewriteLinksInText(r.text, rules).text, r.text, 'idempotent');
  });
}

test('per-link results: context, offsets, rule, and whether an unmatched link points at an old host', () => {
  const text = 'x <a href="http://old.example/nope">n</a> [m](https://elsewhere.example/) http://old.example/app-ab12/#RP1';
  const r = rewriteLinksInText(text, rules);
  assert.deepEqual(r.links.map((l) => [l.context, l.result.kind, l.knownHost]), [
    ['attribute', 'unmatched', true],
    ['markdown', 'unmatched', false],
    ['plain', 'rewritten', true],
  ]);
  const last = r.links[2]!;
  assert.equal(text.slice(last.start, last.end), 'http://old.example/app-ab12/#RP1');
  assert.equal(last.replacement, NEW);
});

test('findLinks ignores schemes glued to words and bare schemes', () => {
  assert.deepEqual(findLinks('xhttp://old.example/a http:// https://'), []);
});

test('a replacement that a second run would change again is put back and reported', () => {
  const loopy = compileUrlRules({ allowedHosts: ['new.example'], rules: [
    { match: { hosts: ['old.example'], path: '/a/{x}' }, target: 'https://new.example/b/{capture.x}.' },
    { match: { hosts: ['new.example'], path: '/b/{x:[0-9]+}' }, target: 'https://new.example/c/{capture.x}' },
  ] });
  const r = rewriteLinksInText('go http://old.example/a/1 now', loopy);
  assert.equal(r.text, 'go http://old.example/a/1 now');
  assert.deepEqual(r.links[0]!.result, { kind: 'refused', reason: 'would_loop', ruleId: 'rules[0]' });
});

// Property tests: arbitrary text around arbitrary (old and foreign) URLs, and arbitrary generated rules.
const segment = fc.stringMatching(/^[A-Za-z0-9._~%@:!$'()*+,;=\\-]{0,8}$/);
const oldUrl = fc.tuple(fc.constantFrom('http://old.example', 'HTTP://old.example:80', 'https://elsewhere.example', 'http://old.example@evil.example', 'https://evil.example\\@old.example'),
  fc.constantFrom('/app-ab12/', '/app-ab12', '/app-ab12/files/', '/x/', '//evil.example/'),
  segment, fc.option(fc.stringMatching(/^[?][A-Za-z0-9=&%]{0,10}$/), { nil: '' }), fc.option(segment.map((s) => `#${s}`), { nil: '' }))
  .map(([h, p, s, q, f]) => `${h}${p}${s}${q}${f}`);
const filler = fc.string({ unit: fc.constantFrom(...' \n.,;:!?()[]<>"\'`&=aZ#/'.split('')), maxLength: 12 });
const wrap = fc.constantFrom((u: string) => u, (u: string) => `<a href="${u}">x</a>`, (u: string) => `[t](${u})`, (u: string) => `<${u}>`, (u: string) => `(${u})`, (u: string) => `${u}.`);
const textWithLinks = fc.array(fc.tuple(filler, oldUrl, wrap), { maxLength: 5 }).map((xs) => xs.map(([f, u, w]) => f + w(u)).join(' '));

test('property: rewriting is idempotent', () => {
  fc.assert(fc.property(textWithLinks, (text) => {
    const once = rewriteLinksInText(text, rules).text;
    assert.equal(rewriteLinksInText(once, rules).text, once);
  }), { numRuns: 2000 });
});

test('property: text without links is unchanged', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }).filter((s) => !/https?:\/\//i.test(s)), (text) => {
    const r = rewriteLinksInText(text, rules);
    assert.equal(r.text, text);
    assert.equal(r.links.length, 0);
  }));
});

test('property: only matched URLs change; every new URL points at an allowed host', () => {
  fc.assert(fc.property(textWithLinks, (text) => {
    const r = rewriteLinksInText(text, rules);
    let rebuilt = '';
    let at = 0;
    for (const link of r.links) {
      if (link.replacement === undefined) continue;
      assert.equal(link.result.kind, 'rewritten');
      rebuilt += text.slice(at, link.start) + link.replacement;
      at = link.end;
      const url = link.result.kind === 'rewritten' ? link.result.url : '';
      assert.equal(new URL(url).host, 'new.example');
    }
    assert.equal(rebuilt + text.slice(at), r.text);
  }), { numRuns: 1000 });
});

// Generated rules: any path pattern, any literal target text after an allowed or disallowed host.
const ruleArb: fc.Arbitrary<UrlRule> = fc.record({
  path: fc.constantFrom('/app-{i}/', '/{rest*}', '/a/{x}/b', '/{x:[a-z%0-9]+}'),
  fragment: fc.option(fc.constantFrom('{f}', '{g*}', 'R{n:[0-9]+}'), { nil: undefined }),
  host: fc.constantFrom('https://new.example', 'https://other.example', 'http://new.example', 'https://new.example:8443'),
  sep: fc.constantFrom('/', '/#/', '?to=', '#'),
  tail: fc.stringMatching(/^[a-z/@:]{0,6}$/),
}).map(({ path, fragment, host, sep, tail }) => {
  const names = [...`${path}${fragment ?? ''}`.matchAll(/\{(\w+)/g)].map((m) => m[1]!);
  return {
    match: { path, ...(fragment ? { fragment } : {}) },
    target: `${host}${sep}${tail}${names.map((n) => `{capture.${n}}`).join('/')}`,
    query: 'keep' as const,
  };
});

test('property: generated rules never produce a URL outside the allow-list', () => {
  fc.assert(fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 3 }), fc.array(oldUrl, { maxLength: 5 }), (rs, urls) => {
    let compiled;
    try {
      compiled = compileUrlRules({ allowedHosts: ['new.example'], rules: rs });
    } catch {
      return; // rules with a disallowed host are refused when compiled
    }
    const r = rewriteLinksInText(urls.join(' \n'), compiled);
    for (const link of r.links) {
      if (link.result.kind !== 'rewritten') continue;
      const u = new URL(link.result.url);
      assert.equal(u.origin, 'https://new.example');
      assert.equal(u.username + u.password, '');
    }
    assert.equal(rewriteLinksInText(r.text, compiled).text, r.text, 'idempotent with generated rules');
  }), { numRuns: 1500 });
});
