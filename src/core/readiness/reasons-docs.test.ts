import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REASONS } from './reasons.ts';

test('docs/readiness.md documents every reason code with its severity', () => {
  const doc = readFileSync(new URL('../../../docs/readiness.md', import.meta.url), 'utf8');
  for (const [code, r] of Object.entries(REASONS)) {
    assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${r.severity} \\|`), `docs/readiness.md lacks a row for ${code}`);
  }
});
