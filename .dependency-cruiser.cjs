// The architecture's layering (docs/architecture.md), checked by `npm run lint` with dependency-cruiser.
// Type-only imports count. Rules apply to every file under src/, co-located *.test.ts included.

// dependency-cruiser cannot use TypeScript 7's compiler (it has no JS API), so it parses with swc; swc's JS Visitor
// predates `using` declarations and throws on them. Visit them like `const` declarations.
const { Visitor } = require('@swc/core/Visitor.js');
const visitStatement = Visitor.prototype.visitStatement;
Visitor.prototype.visitStatement = function (stmt) {
  if (stmt.type !== 'UsingDeclaration') return visitStatement.call(this, stmt);
  stmt.decls = this.visitVariableDeclarators(stmt.decls);
  return stmt;
};

// Top-level folders of src/, low to high. A folder may import only folders listed before it (or itself):
// the layers as designed, and within a layer a fixed order, so a cycle between folders cannot be written.
const layers = [
  ['core'],
  ['config', 'http', 'store', 'mail', 'importers', 'exporters', 'population', 'docs', 'ports'],
  ['ims', 'product-kit'],
  ['adapters'],
  ['engine', 'comms', 'tickets', 'links', 'reports', 'redirects'],
  ['app'],
  ['console'],
  ['cli', 'server', 'workers'], // faces: never import each other (rule below)
  ['demo'], // with the root files src/*.ts: entry processes, imported by nothing
];
const order = layers.flat();
const folders = (names) => `^src/(${names.join('|')})/`;
const ENTRY = '^src/(demo/|[^/]+$)';

const layerRules = order.slice(0, -1).map((name, i) => ({
  name: `layer-${name}`,
  comment: `src/${name} may import only itself and folders listed before it: ${order.slice(0, i).join(', ') || 'none'}`,
  severity: 'error',
  // Tests beside the code may set up what they test with any part (a store, a server); the code itself may not.
  from: { path: folders([name]), pathNot: '\\.test\\.ts$' },
  to: { path: [folders(order.slice(i + 1)), ENTRY] },
}));

const ioModules = 'fs|http|https|net|child_process|sqlite|dgram|dns|worker_threads|os';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-no-io',
      comment: 'src/core is pure (STYLE.md rule 2): no I/O modules',
      severity: 'error',
      from: { path: '^src/core/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'], path: `^(node:)?(${ioModules})(/|$)` },
    },
    {
      name: 'core-no-io-library',
      comment: 'src/core is pure (STYLE.md rule 2): no I/O libraries',
      severity: 'error',
      from: { path: '^src/core/', pathNot: '\\.test\\.ts$' },
      to: { path: '^node_modules/(pg|kysely|nodemailer|oidc-provider|openid-client)/' },
    },
    {
      name: 'core-imports-only-core',
      comment: 'src/core imports only src/core, node:url and the unicode-confusables data',
      severity: 'error',
      from: { path: '^src/core/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^src/core/', '^(node:)?url$', '^node_modules/unicode-confusables/'] },
    },
    ...layerRules,
    {
      name: 'faces-apart',
      comment: 'the faces (cli, server, workers) never import each other; only the server mounts the console',
      severity: 'error',
      from: { path: '^src/(cli|server|workers)/' },
      to: { path: '^src/(cli|server|workers|console)/', pathNot: ['^src/$1/', '^src/console/'] },
    },
    {
      name: 'console-only-in-server',
      comment: 'the console is a server part: cli and workers do not import it',
      severity: 'error',
      from: { path: '^src/(cli|workers)/' },
      to: { path: '^src/console/' },
    },
    {
      name: 'entry-not-imported',
      comment: 'the root files src/*.ts and src/demo are entry processes: nothing in src/ imports them (folders: layer rules)',
      severity: 'error',
      from: { path: ENTRY },
      to: { path: ENTRY, pathNot: '^src/demo/.+' },
    },
    {
      name: 'entry-not-imported-demo',
      comment: 'the root files src/*.ts do not import src/demo (another entry process)',
      severity: 'error',
      from: { path: '^src/[^/]+$' },
      to: { path: '^src/demo/' },
    },
    {
      name: 'ims-embeddable',
      comment: 'the embedded IMS is a library others embed: it does not import ports, adapters, engine or app',
      severity: 'error',
      from: { path: '^src/ims/' },
      to: { path: folders(['ports', 'adapters', 'engine', 'app']) },
    },
    {
      name: 'no-test-in-src',
      comment: 'src/ does not import test/ (co-located *.test.ts files may use the test helpers)',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import resolves to a file',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      comment: 'no module cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: ['^node_modules/', '^test/', '^examples/'] },
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
