// The stack the security suites attack: `startRehomeServer` exactly as `rehome serve` composes it, on a real SQLite
// file in a temporary directory, over real HTTP on 127.0.0.1. Both example subscriptions are imported, planned and
// linked (phase 1); the server mounts every part: the embedded IMS (with one third-party relying party besides the
// console, so consent, redirect_uri and post_logout_redirect_uri have something to refuse), SCIM, the Admin API,
// the console, /verify-email and the redirect service on a small rules file. One world per test file.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type StoreAdapter } from '../../src/app/rehome-store.ts';
import { buildConfig } from '../../src/config/config.ts';
import { createBootstrapLink } from '../../src/console/bootstrap.ts';
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { scheduleMigration } from '../../src/engine/admin-actions.ts';
import { migrationDb, requireMigration } from '../../src/engine/migration-repo.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { runUserPhase } from '../../src/engine/user-phase.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { hashPassword } from '../../src/ims/accounts/passwords.ts';
import { createOrgClient, type OrgClientScope } from '../../src/ims/admin-api/org-clients.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import { startRehomeServer, type RehomeServer } from '../../src/server/rehome-server.ts';
import { readForm, TestBrowser } from '../e2e/support/browser.ts';
import { embeddedEnginePorts } from '../support/embedded-engine.ts';

export const PROD = '123-ABC-456';
export const SANDBOX = '123-ABC-999';
/** A third-party (consent) relying party registered through `ims.clientsFile`. */
export const RP = { clientId: 'security-rp', clientSecret: 'security-rp-secret-0123456789abcdef', redirectUri: 'https://rp.example/callback', postLogoutRedirectUri: 'https://rp.example/signed-out' } as const;
/** Where the redirect service's rules may send people. */
export const NEW_PRODUCT = 'https://new.example';
/** The product as the operator configured it (`comms.productUrl`): mails and the help page link it. */
export const PRODUCT_URL = 'https://engage.example/';
export const SECRETS = { REHOME_IMS_COOKIE_KEYS: 'security-cookie-key-0123456789abcdef0123', REHOME_IMS_LINK_SECRET: 'security-link-secret-0123456789abcdef0123' } as const;
const example = (f: string) => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;

/** The redirect service's rules: a path rule and a fragment rule, both onto NEW_PRODUCT only. */
export const URL_RULES = {
  allowedHosts: [new URL(NEW_PRODUCT).host],
  rules: [
    { id: 'old-files', match: { path: '/old-app/files/{rest*}' }, target: `${NEW_PRODUCT}/files/{capture.rest}`, query: 'keep' },
    { id: 'old-assets', match: { path: '/old-app/', fragment: '{asset}' }, target: `${NEW_PRODUCT}/#/engage/{capture.asset}`, fallback: `${NEW_PRODUCT}/#/engage/` },
  ],
};

export interface SecurityWorld {
  url: string;
  store: StoreAdapter;
  server: RehomeServer;
  dir: string;
  close(): Promise<void>;
}

export async function startSecurityWorld(): Promise<SecurityWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'rehome-security-'));
  const dbPath = join(dir, 'rehome.db');
  const store = await openStore({ kind: 'sqlite', path: dbPath });
  const now = new Date();
  for (const [subFile, usersFile] of [['subscription.json', 'users.csv'], ['sandbox-subscription.json', 'sandbox-users.csv']] as const) {
    const sub = readSubscription(example(subFile));
    const accounts = readImsDirectory(example('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains });
    const ref = await store.saveSnapshot({ subscription: sub, users: readProductUsers(example(usersFile)), ims: { accounts }, sources: {}, at: now.toISOString() });
    await seedDirectoryFromExport(createStoreImsDirectory(store), accounts, sub.imsOrg);
    const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
    plan.prerequisites = plan.prerequisites.filter((p) => p.code !== 'sso_not_configured');
    await applyProductPhase(plan, embeddedEnginePorts({ store, orgId: sub.imsOrg.id, issuer: 'http://127.0.0.1:1/ims', actor: 'cli:test' }), { consent: true });
  }
  const rulesFile = join(dir, 'url-rules.json');
  writeFileSync(rulesFile, JSON.stringify(URL_RULES));
  const clientsFile = join(dir, 'ims-clients.json');
  writeFileSync(clientsFile, JSON.stringify([{ clientId: RP.clientId, clientSecret: RP.clientSecret, redirectUris: [RP.redirectUri], postLogoutRedirectUris: [RP.postLogoutRedirectUri] }]));
  const config = buildConfig({
    env: { ...SECRETS },
    flags: {
      'store.kind': 'sqlite', 'store.path': dbPath, 'server.port': 0, 'ims.devOutbox': true, 'comms.productUrl': PRODUCT_URL,
      'redirects.rulesFile': rulesFile, 'ims.clientsFile': clientsFile, 'migration.concurrency': 2, 'server.logLevel': 'warn',
    },
  });
  const server = await startRehomeServer({ config, store, port: 0 });
  return {
    url: server.url, store, server, dir,
    async close() {
      await server.close();
      await store[Symbol.asyncDispose]();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A console session as a client holds it: the cookie header and the CSRF token its pages carry. */
export interface ConsoleSessionHandle {
  cookie: string;
  csrf: string;
}

/** The first admin's one-time link, redeemed over HTTP: a bootstrap session bound to `subscriptionId`. */
export async function bootstrapSession(world: SecurityWorld, subscriptionId: string): Promise<ConsoleSessionHandle> {
  const link = await createBootstrapLink(world.store, subscriptionId);
  const token = new URL(link.path, world.url).searchParams.get('token')!;
  const r = await fetch(`${world.url}/console/bootstrap`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });
  if (r.status !== 303) throw new Error(`bootstrap sign-in answered ${r.status}`);
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith('rehome_console='))!.split(';')[0]!;
  return { cookie, csrf: await csrfOf(world, cookie, `/console/s/${subscriptionId}`) };
}

export async function csrfOf(world: { url: string }, cookie: string, path: string): Promise<string> {
  const page = await (await fetch(`${world.url}${path}`, { headers: { cookie } })).text();
  const m = /name="csrf" value="([^"]+)"/.exec(page);
  if (!m) throw new Error(`no CSRF token on ${path}`);
  return m[1]!;
}

/**
 * Moves one admin of a subscription to the IMS (schedules the migration when needed, runs the user phase for them)
 * and gives the account a password, as accepting the invitation would.
 */
export async function migrateAdmin(world: SecurityWorld, subscriptionId: string, userId: string, password: string): Promise<{ email: string; subject: string }> {
  const db = migrationDb(world.store.kysely);
  const m = await requireMigration(db, subscriptionId);
  const ports = embeddedEnginePorts({ store: world.store, orgId: m.org_id!, issuer: `${world.url}/ims`, actor: 'cli:test' });
  if (m.state === 'product_linked') await scheduleMigration(ports, subscriptionId, addDays(localDate(new Date(), 'America/Los_Angeles'), 9));
  const result = await runUserPhase({ subscriptionId, userIds: [userId] }, ports);
  if (result.migrated !== 1) throw new Error(`admin ${userId} of ${subscriptionId} did not migrate`);
  const row = await db.selectFrom('mig_users').select(['email', 'ims_subject']).where('subscription_id', '=', subscriptionId).where('user_id', '=', userId).executeTakeFirstOrThrow();
  await createStoreImsDirectory(world.store).setPasswordHash(row.ims_subject!, await hashPassword(password));
  return { email: row.email, subject: row.ims_subject! };
}

/**
 * Follows redirects one hop at a time while they stay on the server, until `stop` says so; returns the last response
 * (unfollowed), its URL, and where a redirect pointed when it left the server.
 */
export async function followOnServer(browser: TestBrowser, start: string, stop: (url: URL) => boolean = () => false): Promise<{ response: Response; url: URL; leftTo?: string }> {
  let current = new URL(start, browser.base);
  for (let hop = 0; hop < 20; hop++) {
    const response = await browser.request(current.href);
    const location = response.headers.get('location');
    if (stop(current) || response.status < 300 || response.status >= 400 || !location) return { response, url: current };
    const next = new URL(location, current);
    if (next.origin !== current.origin) return { response, url: current, leftTo: location };
    current = next;
  }
  throw new Error('too many redirects');
}

/**
 * Signs in to the IMS in `browser` when `start` leads to the login prompt, then follows the redirects until a URL
 * under `until` (a path prefix) and returns that response, unfollowed.
 */
export async function signInThroughIms(browser: TestBrowser, start: string, email: string, password: string, until: string): Promise<Response> {
  const at = (u: URL) => u.pathname.startsWith(until);
  let hop = await followOnServer(browser, start, at);
  if (hop.url.pathname.startsWith('/ims/interaction/')) {
    const form = readForm(await hop.response.text());
    const posted = await browser.request(form.action, { form: { ...form.fields, email, password } });
    if (posted.status !== 303) throw new Error(`IMS sign-in answered ${posted.status}`);
    hop = await followOnServer(browser, new URL(posted.headers.get('location')!, browser.base).href, at);
  }
  if (!at(hop.url)) throw new Error(`stopped at ${hop.url.pathname} (${hop.response.status}) before ${until}`);
  return hop.response;
}

/** A console session through the IMS (the way admins sign in once they have migrated). */
export async function imsConsoleSession(world: { url: string }, email: string, password: string): Promise<ConsoleSessionHandle & { browser: TestBrowser }> {
  const browser = new TestBrowser(world.url);
  const callback = await signInThroughIms(browser, '/console/login?return_to=/console/', email, password, '/console/callback');
  if (callback.status !== 303) throw new Error(`console callback answered ${callback.status}`);
  const cookie = `rehome_console=${browser.cookies.get('rehome_console')}`;
  return { browser, cookie, csrf: await csrfOf(world, cookie, '/console/') };
}

/** An org API client and a bearer token for it from the composed server's own token endpoint (`/ims/admin/token`). */
export async function orgToken(world: SecurityWorld, orgId: string, scopes?: OrgClientScope[]): Promise<{ clientId: string; clientSecret: string; token: string }> {
  const created = await createOrgClient(world.store, { orgId, name: `security ${orgId}`, ...(scopes ? { scopes } : {}) });
  const response = await fetch(`${world.url}/ims/admin/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(created.clientId)}:${encodeURIComponent(created.clientSecret)}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
  const body = await response.json() as { access_token: string };
  return { ...created, token: body.access_token };
}

/** `fetch` against the world with a console session cookie; never follows redirects. */
export function consoleFetch(world: { url: string }, path: string, init: { method?: string; cookie?: string; body?: string | URLSearchParams; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.body !== undefined && typeof init.body === 'string' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...init.headers };
  return fetch(`${world.url}${path}`, { method: init.method ?? 'GET', headers, redirect: 'manual', ...(init.body !== undefined ? { body: init.body } : {}) });
}

/** The tables a forged or foreign request must leave alone: migration state, audit, IMS identities, mail, clients. */
export const WATCHED_TABLES = [
  'mig_subscriptions', 'mig_users', 'mig_steps', 'audit_log', 'ims_orgs', 'ims_accounts', 'ims_org_members', 'ims_org_admins', 'ims_org_domains',
  'ims_profiles', 'ims_profile_members', 'ims_tokens', 'mail_messages', 'comms_sends', 'comms_links', 'comms_verifications', 'admin_org_clients',
  'console_bootstrap_tokens',
] as const;

/** One digest per watched table (row count and a hash of its rows): `deepEqual` names the table that changed. */
export async function fingerprint(world: SecurityWorld): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of WATCHED_TABLES) {
    const rows = await world.store.kysely.selectFrom(table as never).selectAll().execute();
    out[table] = `${rows.length} rows, ${createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16)}`;
  }
  return out;
}

/** The PKCE verifier of `rpAuthorizationPath` (for the code exchange). */
export const RP_VERIFIER = 'security-suite-verifier-0123456789abcdef0123456789';

/** An authorization request of the third-party relying party (code flow with PKCE S256), as its path on the IMS. */
export function rpAuthorizationPath(params: Record<string, string> = {}): string {
  const verifier = RP_VERIFIER;
  const query = new URLSearchParams({
    client_id: RP.clientId, redirect_uri: RP.redirectUri, response_type: 'code', scope: 'openid email', state: 'state-1', nonce: 'nonce-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', ...params,
  });
  return `/ims/auth?${query}`;
}
