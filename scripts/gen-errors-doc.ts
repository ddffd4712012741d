// docs/errors.md from the code: every `export type <Domain>ErrorCode = ...` union with the comment beside each code,
// and what the console says for each (the glossary). The glossary's tables in docs/readiness.md and docs/console.md
// are refreshed between their markers. A test fails when a file is stale (`npm run docs:errors`).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderErrorsDoc } from '../src/docs/errors-doc.ts';
import { GLOSSARY_BLOCKS, refreshBlocks } from '../src/docs/glossary-doc.ts';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
console.log('wrote docs/errors.md');
for (const file of Object.keys(GLOSSARY_BLOCKS)) {
  const url = new URL(`../docs/${file}`, import.meta.url);
  writeFileSync(url, refreshBlocks(file, readFileSync(url, 'utf8')));
  console.log(`refreshed the glossary tables of docs/${file}`);
}
