import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REFUSAL_WORDS } from '../core/glossary/refusal-words.ts';
import { REASONS } from '../core/readiness/reasons.ts';
import { DOMAINS, extractCodes } from './errors-doc.ts';
import { GLOSSARY_BLOCKS, refreshBlocks, replaceBlock } from './glossary-doc.ts';

const doc = (file: string) => readFileSync(new URL(`../../docs/${file}`, import.meta.url), 'utf8');

for (const file of Object.keys(GLOSSARY_BLOCKS)) {
  test(`docs/${file} holds the glossary's tables as they are (npm run docs:errors)`, () => {
    const onDisk = doc(file);
    assert.equal(onDisk, refreshBlocks(file, onDisk), `docs/${file} and the glossary disagree: run npm run docs:errors`);
  });
}

test('docs/readiness.md has one row per reason code, with its label and severity', () => {
  const text = doc('readiness.md');
  for (const [code, r] of Object.entries(REASONS)) assert.ok(text.includes(`| \`${code}\` | ${r.label.replace(/\|/g, '\\|')} | ${r.severity} |`), code);
});

// The console answers MigrationError, AppError and CommsError with the glossary's sentence for the code: a code
// added to one of those unions without words would reach people as the general "That action was refused."
test('every code a console action can be refused with has its words in the glossary', () => {
  const root = new URL('../../', import.meta.url);
  for (const type of ['MigrationErrorCode', 'AppErrorCode', 'CommsErrorCode']) {
    const domain = DOMAINS.find((d) => d.type === type)!;
    const codes = extractCodes(readFileSync(new URL(domain.file, root), 'utf8'), type);
    assert.ok(codes.length > 3, type);
    for (const { code } of codes) assert.ok(Object.hasOwn(REFUSAL_WORDS, code), `${type} ${code} has no words in src/core/glossary/refusal-words.ts`);
  }
});

test('a doc that lost a marker is refused, not silently left stale', () => {
  assert.throws(() => replaceBlock('# A doc\n', 'reasons', 'x'), /glossary block reasons not found/);
});
