// docs/errors.md from the code: every `export type <Domain>ErrorCode = ...` union with the comment beside each code.
// A test fails when the file is stale (`npm run docs:errors`).
import { writeFileSync } from 'node:fs';
import { renderErrorsDoc } from '../src/docs/errors-doc.ts';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
console.log('wrote docs/errors.md');
