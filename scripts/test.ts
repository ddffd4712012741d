// The one test command (README, .ci/run): type-check, lint, then every suite with node:test.
// `--fast` (npm run test:fast) runs only the unit and contract tests: src/**/*.test.ts and test/contract/**/*.test.ts.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`npm test needs Node 24 (found ${process.versions.node}); run npm ci first so the node devDependency installs`);
  process.exit(2);
}
const fast = process.argv.includes('--fast');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (only.length === 0) {
  run('npm', ['run', '--silent', 'typecheck']);
  run('npm', ['run', '--silent', 'lint']);
}
let files = only.length > 0 ? only : [...globSync('src/**/*.test.ts'), ...globSync('test/**/*.test.ts')].sort();
if (fast) files = files.filter((f) => (f.startsWith('src/') || f.startsWith('test/contract/')) && f.endsWith('.test.ts'));
// The crash and fault suites start several processes each and time their own runs: one at a time, after the rest,
// so two of them never fight over the two cores.
const slow = files.filter((f) => f.endsWith('.slow.test.ts'));
const rest = files.filter((f) => !f.endsWith('.slow.test.ts'));
if (rest.length > 0) run(process.execPath, ['--test', '--test-reporter=tap', '--test-concurrency=2', ...rest]);
if (slow.length > 0) run(process.execPath, ['--test', '--test-reporter=tap', '--test-concurrency=1', ...slow]);
