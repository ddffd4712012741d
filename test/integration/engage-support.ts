// Engage + the real embedded IMS on 127.0.0.1, wired as in production: Engage's kit signs in against the IMS, and
// Rehome writes Engage's link table through the REST ProductSource. Shared by test/integration/engage-*.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRestProductSource } from '../../src/adapters/product/rest/rest-product-source.ts';
import { hashPassword } from '../../src/ims/accounts/passwords.ts';
import type { ProductUser } from '../../src/core/model.ts';
import type { ProductSource } from '../../src/ports/product-source.ts';
import type { RunningServer } from '../../src/server/http-server.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import { seedEngage, type DemoLogins } from '../../examples/engage/seed.ts';
import { startEngage, type EngageServer } from '../../examples/engage/src/engage-server.ts';
import { TestBrowser } from '../e2e/support/browser.ts';
import { signInThroughPages, startTestServer } from '../e2e/support/ims-harness.ts';
import { sqliteTestDatabase, type TestDatabase } from '../e2e/support/test-databases.ts';

export const IMS_PASSWORD = 'ims-password-0123456789';
const API_TOKEN = 'engage-test-rehome-token-0123456789';
const CLIENT = { clientId: 'engage', clientSecret: 'engage-client-secret-0123456789abcdef' };

export interface EngageWithIms {
  engage: EngageServer;
  ims: RunningServer;
  issuer: string;
  /** Rehome's side: the REST ProductSource on Engage's API. */
  source: ProductSource;
  logins: DemoLogins;
  /** A verified IMS account with the user's email (what Rehome's user phase finds or creates). */
  createImsAccount(user: Pick<ProductUser, 'email' | 'firstName' | 'lastName'>): Promise<{ id: string; email: string }>;
  close(): Promise<void>;
}

export async function startEngageWithIms(label: string, users = 60): Promise<EngageWithIms> {
  const dir = mkdtempSync(join(tmpdir(), `engage-${label}-`));
  const engage = await startEngage({ dbPath: join(dir, 'engage.db'), rehomeApiToken: API_TOKEN });
  const logins = await seedEngage(engage.db, { baseUrl: engage.url, users });
  const database: TestDatabase = sqliteTestDatabase(`engage-${label}`);
  const store: StoreAdapter = await database.open();
  const ims = await startTestServer(store, { clients: [{ ...CLIENT, redirectUris: [engage.callbackUrl], firstParty: true }] });
  const issuer = `${ims.url}/ims`;
  engage.configureIms({ issuer, ...CLIENT, allowInsecureHttp: true, brandText: 'Continue with Acme ID' });
  const passwordHash = await hashPassword(IMS_PASSWORD);
  return {
    engage, ims, issuer, logins,
    source: createRestProductSource({ baseUrl: `${engage.url}/api/rehome/v1`, subscriptionId: logins.subscriptionId, token: API_TOKEN }),
    createImsAccount: (u) => ims.ims.directory.createAccount({ email: u.email, emailVerified: true, passwordHash, firstName: u.firstName, lastName: u.lastName }),
    async close() {
      await engage.close();
      await ims.close();
      await store[Symbol.asyncDispose]();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The product's password form, as a browser posts it (fragment copied in by the page's script). */
export async function passwordLogin(browser: TestBrowser, login: string, password: string, fragment = ''): Promise<Response> {
  return browser.request('/app-ab12/login', { form: { login, password, fragment }, headers: { origin: browser.base } });
}

/**
 * "Continue with IMS" from Engage's login page: Engage redirects to the IMS, the person signs in there, the IMS
 * redirects to Engage's callback. Returns Engage's answer to the callback (303 into the app, or a refusal page).
 */
export async function imsLogin(setup: EngageWithIms, browser: TestBrowser, email: string, options: { fragment?: string; tamper?: (callback: URL) => void } = {}): Promise<Response> {
  const start = await browser.request(`/app-ab12/auth/ims?fragment=${encodeURIComponent(options.fragment ?? '')}`);
  if (start.status !== 303) throw new Error(`Engage did not redirect to the IMS (${start.status}): ${await start.text()}`);
  const imsBrowser = new TestBrowser(setup.ims.url);
  const callback = await signInThroughPages(imsBrowser, { url: new URL(start.headers.get('location')!), verifier: '', state: '' }, email, IMS_PASSWORD, setup.engage.callbackUrl);
  options.tamper?.(callback);
  return browser.request(callback.href);
}

/** Every user's access rows, straight from Engage's database (what sign-in must never change). */
export function accessRows(engage: EngageServer): unknown[] {
  return engage.db.sqlite.prepare('SELECT user_id, workspace_id, partition_id, role_id FROM user_access ORDER BY 1, 2, 3, 4').all();
}

/** A JSON request with the browser's cookies (TestBrowser posts forms only). */
export function jsonRequest(browser: TestBrowser, method: string, path: string, body: unknown): Promise<Response> {
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return fetch(new URL(path, browser.base), { method, headers: { 'content-type': 'application/json', origin: browser.base, cookie }, body: JSON.stringify(body), redirect: 'manual' });
}
