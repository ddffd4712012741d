// `npm start`: the whole story on 127.0.0.1 (Rehome's server with the embedded IMS, and Engage, the reference
// product), state under .rehome/demo/. The logic is in src/demo/; `npm start -- --help` lists the options.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`npm start needs Node 24 (found ${process.versions.node}); run npm ci first so the node devDependency installs`);
  process.exit(2);
}
const { runDemo } = await import('../src/demo/run-demo.ts');
process.exitCode = await runDemo(process.argv.slice(2));
