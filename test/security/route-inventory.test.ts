// Keeps the security suites' route lists (route-inventory.ts) honest: every source file that reads a request's
// method or path is a known route file, every path or path segment those files match is in the inventory, and the
// composed server mounts only the parts listed. A new route or route file fails here until it is listed, and from
// then on csrf, open-redirect and tenant-isolation attack it.
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  ADMIN_API_ROUTES, CONSOLE_ROUTES, CONSOLE_SUBSCRIPTION_ROUTES, IMS_ACCOUNT_FORMS, IMS_ROUTES, OTHER_ROUTES, SCIM_ROUTES, VERIFY_EMAIL_ROUTES,
} from './route-inventory.ts';

const root = new URL('../../', import.meta.url).pathname;
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');
const literals = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((m) => m[1]!);
const segments = (paths: readonly { path: string }[]) => new Set(paths.flatMap((r) => r.path.split('/')).filter((s) => s !== '' && !s.startsWith('{')));

/** Files that serve routes, and what each serves. */
const ROUTE_FILES: Record<string, string> = {
  'src/console/console-handler.ts': 'the console (/console)',
  'src/ims/http/ims-handler.ts': 'the IMS pages (/ims)',
  'src/ims/http/account-routes.ts': 'the IMS self-service forms (/ims/account)',
  'src/ims/http/interaction-routes.ts': 'the IMS login and consent prompts (/ims/interaction)',
  'src/ims/federation/sso-routes.ts': 'upstream SSO (/ims/sso/callback)',
  'src/ims/admin-api/admin-api-handler.ts': 'the Admin API (/ims/admin/v1)',
  'src/ims/admin-api/token-endpoint.ts': 'the org clients\' token endpoint (/ims/admin/token)',
  'src/ims/scim/scim-handler.ts': 'SCIM 2.0 (/scim/v2)',
  'src/comms/verify-email-handler.ts': '/verify-email',
  'src/comms/help-handler.ts': 'the help page and the banner notice (/help/<subscription>)',
  'src/redirects/redirect-handler.ts': 'the redirect service (rules, /redirects/unmatched.json)',
  'src/http/metrics-handler.ts': 'Prometheus metrics (/metrics)',
};
/** Files that read a method or path without serving anything (clients, pure URL code). */
const NOT_SERVING = ['src/adapters/idp/external/scim-client.ts', 'src/core/urls/allowed-origins.ts', 'src/http/access-log.ts'];

test('every source file that reads a request method or path is a known route file', () => {
  const serving = globSync('src/**/*.ts', { cwd: root })
    .filter((f) => !f.endsWith('.test.ts'))
    .filter((f) => /\breq\.method\b|request\.method|pathname (?:===|!==)|pathname\.startsWith|\bpath === '\//.test(read(f)))
    .sort();
  assert.deepEqual(serving, [...Object.keys(ROUTE_FILES), ...NOT_SERVING].sort(),
    'a file serves routes that test/security/route-inventory.ts does not list: add its routes there (and to ROUTE_FILES here)');
});

test('the composed server mounts the IMS and exactly the parts the inventory covers', () => {
  const server = read('src/server/rehome-server.ts');
  assert.match(server, /mount\(\[loggedHandler\(\[parts\.provisioning, ims\.handler, \.\.\.parts\.handlers\], /, "SCIM and the Admin API ahead of the IMS, whose OIDC provider would answer their paths with 404");
  const mounted = read('src/server/mounted-handlers.ts');
  const factories = literals(mounted, /import \{ ([^}]+) \} from '[^']+';/g).flatMap((names) => names.split(',').map((n) => n.trim()))
    .filter((n) => /Handlers?$/.test(n) && !n.startsWith('type '));
  assert.deepEqual(factories.sort(), ['createConsoleHandler', 'createHelpHandler', 'createMetricsHandler', 'createProvisioningHandlers', 'createRedirectHandler', 'verifyEmailHandler'].sort());
  assert.match(read('src/ims/admin-api/provisioning-handlers.ts'), /handlers: \[\s*createTokenEndpoint\(.*createScimHandler\(.*createAdminApiHandler\([^\]]*\],/s);
});

test('the console: every path it matches is in the inventory', () => {
  const handler = read('src/console/console-handler.ts');
  const top = new Set(CONSOLE_ROUTES.map((r) => r.path.replace(/\/$/, '')));
  for (const p of literals(handler, /path === '(\/console[^']*)'/g)) assert.ok(top.has(p.replace(/\/$/, '')), `console path ${p}`);
  const sub = new Set(CONSOLE_SUBSCRIPTION_ROUTES.map((r) => r.path));
  for (const p of literals(handler, /rest === '(\/[^']*)'/g)) assert.ok(sub.has(p), `console subscription path ${p}`);
  assert.ok(CONSOLE_SUBSCRIPTION_ROUTES.some((r) => r.method === 'POST') && CONSOLE_SUBSCRIPTION_ROUTES.some((r) => r.path === '/audit.csv'));
});

test('the IMS: its forms, pages and prompts are in the inventory', () => {
  assert.deepEqual(literals(read('src/ims/http/account-routes.ts'), /^\s+'(\/ims\/account\/[^']+)': \{/gm).sort(), [...IMS_ACCOUNT_FORMS].sort());
  const paths = new Set(IMS_ROUTES.map((r) => r.path));
  for (const p of literals(read('src/ims/http/ims-handler.ts'), /pathname === '(\/ims\/[^']+)'/g)) assert.ok(paths.has(p), `IMS path ${p}`);
  const prompts = /interaction\\\/\(\[\\w-\]\+\)\(\?:\\\/\(([a-z|]+)\)\)/.exec(read('src/ims/http/ims-handler.ts'));
  assert.ok(prompts, 'the interaction route pattern');
  for (const p of prompts[1]!.split('|')) assert.ok(paths.has(`/ims/interaction/:uid/${p}`), `interaction ${p}`);
  assert.match(read('src/ims/federation/sso-routes.ts'), /\/sso\/callback/);
  assert.ok(paths.has('/ims/sso/callback'));
});

test('the Admin API and SCIM: every segment they match is in the inventory', () => {
  const admin = segments(ADMIN_API_ROUTES);
  for (const s of literals(read('src/ims/admin-api/admin-api-handler.ts'), /(?:resource|sub|action|orgs) (?:===|!==) '([^']+)'/g)) assert.ok(admin.has(s), `Admin API segment ${s}`);
  const scim = segments(SCIM_ROUTES);
  for (const s of literals(read('src/ims/scim/scim-handler.ts'), /(?:collection|first|id) (?:===|!==) '([^']+)'/g)) assert.ok(scim.has(s), `SCIM segment ${s}`);
});

test('/verify-email, the token endpoint, /metrics, the help page and the redirect service are in the inventory', () => {
  const paths = new Set([...VERIFY_EMAIL_ROUTES, ...OTHER_ROUTES].map((r) => r.path));
  for (const p of literals(read('src/http/metrics-handler.ts'), /!== '(\/[^']*)'/g)) assert.ok(paths.has(p), `metrics path ${p}`);
  for (const p of literals(read('src/comms/verify-email-handler.ts'), /'(\/verify-email[^']*)'/g)) assert.ok(paths.has(p), `verify-email path ${p}`);
  assert.ok(paths.has('/ims/admin/token') && paths.has('/redirects/unmatched.json'));
  assert.match(read('src/comms/help-handler.ts'), /const ROUTE = \/\^\\\/help\\\/\(\[A-Za-z0-9\]\[\\w\.-\]\{0,99\}\)\(\\\/notice\\\.json\)\?\$\//, 'the help handler serves /help/<id> and /help/<id>/notice.json only');
  assert.ok(paths.has('/help/123-ABC-456') && paths.has('/help/123-ABC-456/notice.json'));
});
