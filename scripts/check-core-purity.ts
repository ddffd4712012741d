// STYLE.md rule 2: src/core is pure. Its imports are checked by dependency-cruiser (.dependency-cruiser.cjs); what
// an import graph cannot see is checked here, by text: no environment, no clock, no randomness, no fetch.
import { globSync, readFileSync } from 'node:fs';

const forbidden: [RegExp, string][] = [
  [/process\.env/, 'process.env'],
  [/Date\.now\(|new Date\(\)/, 'the clock'],
  [/Math\.random\(|randomUUID|randomBytes/, 'randomness'],
  [/\bfetch\(/, 'fetch'],
];
let bad = 0;
for (const file of globSync('src/core/**/*.ts')) {
  if (file.endsWith('.test.ts')) continue;
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    for (const [re, what] of forbidden) {
      if (re.test(line)) { console.error(`${file}:${i + 1}: src/core must not use ${what}`); bad++; }
    }
  });
}
if (bad > 0) process.exit(1);
