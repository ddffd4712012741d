#!/usr/bin/env node
// npm falls back to the machine's Node 20 when the `node` devDependency did not install (e.g. --ignore-scripts);
// type stripping and node:sqlite need 24, so say so in one line instead of failing on a syntax error.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`rehome needs Node 24 (found ${process.versions.node}); run it through npm (npm run rehome -- ...) after npm ci\n`);
  process.exit(2);
}
const { rehome } = await import('../src/main.ts');
process.exitCode = await rehome(process.argv.slice(2));
