import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { extractCodes, renderErrorsDoc } from './errors-doc.ts';

test('extractCodes reads a union with trailing and block comments', () => {
  const src = "export type XCode =\n  /** first */\n  | 'a_b'\n  | 'c' // second\n  | 'd';\nconst y = 'e';";
  assert.deepEqual(extractCodes(src, 'XCode'), [{ code: 'a_b', doc: 'first' }, { code: 'c', doc: 'second' }, { code: 'd', doc: '' }]);
});

test('docs/errors.md is generated from the code and up to date', () => {
  const onDisk = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  assert.equal(onDisk, renderErrorsDoc(), 'docs/errors.md is stale: run npm run docs:errors');
});
