// `npm start`: the demo on the embedded defaults (SQLite under .rehome/). Imports the example subscription,
// prints its readiness, writes the HTML report, then serves the embedded IMS until Ctrl-C.
import { mkdirSync } from 'node:fs';
import { main } from '../src/cli/main.ts';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`npm start needs Node 24 (found ${process.versions.node}); run npm ci first so the node devDependency installs`);
  process.exit(2);
}
const ex = (f: string) => new URL(`../examples/acme/${f}`, import.meta.url).pathname;
const files = ['--users', ex('users.csv'), '--ims', ex('ims-directory.csv'), '--subscription', ex('subscription.json'),
  '--users', ex('sandbox-users.csv'), '--subscription', ex('sandbox-subscription.json')];
mkdirSync('.rehome', { recursive: true });

let code = await main(['import', ...files]);
if (code !== 0) process.exit(code);
code = await main(['readiness', '--stored', '123-ABC-456', '--stored', '123-ABC-999', '--limit', '20']);
await main(['readiness', '--stored', '123-ABC-456', '--stored', '123-ABC-999', '--format', 'html', '--out', '.rehome/readiness.html', '--limit', '0']);
console.log('\nThe full report for your team: .rehome/readiness.html\n');
process.exitCode = await main(['serve', '--dev-outbox', ...process.argv.slice(2)]);
