import * as oidc from 'openid-client';
import { resolveImsConfig, type ImsConfigInput } from '../../../src/ims/ims-config.ts';
import { startServer, type RunningServer } from '../../../src/server/http-server.ts';
import type { StoreAdapter } from '../../../src/store/open-store.ts';
import { linkIn, readForm, TestBrowser } from './browser.ts';

export const RP = { clientId: 'product-app', clientSecret: 'product-app-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:9/callback', postLogout: 'http://127.0.0.1:9/signed-out' };
export const PUBLIC_RP = { clientId: 'public-spa', redirectUri: 'http://127.0.0.1:9/spa-callback' };

export function testImsConfig(serverUrl: string, overrides: Partial<ImsConfigInput> = {}) {
  return resolveImsConfig({
    baseUrl: serverUrl,
    allowInsecureHttp: true,
    cookieKeys: ['test-cookie-key-0123456789abcdef0123456789'],
    linkSecret: 'test-link-secret-0123456789abcdef0123456789',
    devOutbox: true,
    clients: [
      { clientId: RP.clientId, clientSecret: RP.clientSecret, redirectUris: [RP.redirectUri], postLogoutRedirectUris: [RP.postLogout], firstParty: true },
      { clientId: PUBLIC_RP.clientId, redirectUris: [PUBLIC_RP.redirectUri] },
    ],
    ...overrides,
  });
}

export async function startTestServer(store: StoreAdapter, overrides: Partial<ImsConfigInput> = {}): Promise<RunningServer> {
  return startServer({ host: '127.0.0.1', port: 0, store, config: (url) => testImsConfig(url, overrides) });
}

/** openid-client configuration for the confidential first-party RP (http allowed: loopback test issuer). */
export async function discoverRp(server: RunningServer, rp: { clientId: string; clientSecret?: string } = RP): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(`${server.url}/ims`), rp.clientId, rp.clientSecret, rp.clientSecret ? undefined : oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface AuthorizationStart {
  url: URL;
  verifier: string;
  state: string;
}

export async function startAuthorization(config: oidc.Configuration, redirectUri = RP.redirectUri, scope = 'openid email profile ims_org'): Promise<AuthorizationStart> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  return { url, verifier, state };
}

/** Drives the login page; returns the callback URL (with the code) the browser ends on. */
export async function signInThroughPages(browser: TestBrowser, start: AuthorizationStart, email: string, password: string, redirectUri = RP.redirectUri, options: { consent?: 'allow' | 'deny' } = {}): Promise<URL> {
  const login = await browser.follow(start.url.href);
  const page = await login.response.text();
  const form = readForm(page);
  const posted = await browser.request(form.action, { form: { ...form.fields, email, password } });
  if (posted.status !== 303) throw new Error(`login refused (${posted.status}): ${await posted.text()}`);
  let end = await browser.follow(new URL(posted.headers.get('location')!, browser.base).href, redirectUri);
  if (!end.url.startsWith(redirectUri) && options.consent !== undefined) {
    const consent = readForm(await end.response.text());
    const answered = await browser.request(consent.action, { form: { ...consent.fields, decision: options.consent } });
    end = await browser.follow(new URL(answered.headers.get('location')!, browser.base).href, redirectUri);
  }
  if (!end.url.startsWith(redirectUri)) throw new Error(`did not reach the client: ${end.url} ${await end.response.text()}`);
  return new URL(end.url);
}

export async function signInAndGetTokens(config: oidc.Configuration, browser: TestBrowser, email: string, password: string) {
  const start = await startAuthorization(config);
  const callback = await signInThroughPages(browser, start, email, password);
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state });
}

/** Signs up through the pages and returns the verification link found in the outbox. */
export async function signUp(server: RunningServer, browser: TestBrowser, input: { email: string; password: string; firstName?: string; lastName?: string }): Promise<string> {
  const formPage = await browser.request('/ims/account/signup');
  const form = readForm(await formPage.text());
  const response = await browser.request(form.action, { form: { ...form.fields, firstName: '', lastName: '', ...input } });
  if (response.status !== 200) throw new Error(`sign-up failed (${response.status}): ${await response.text()}`);
  const mails = await server.ims.outbox.list({ to: server.ims.directory.address(input.email).delivery });
  return linkIn(mails[0]!.text, '/ims/account/verify');
}

/** Opens a mailed link and submits its form with `fields` (the password confirmation). */
export async function submitLinkForm(browser: TestBrowser, link: string, fields: Record<string, string>): Promise<Response> {
  const page = await browser.request(link);
  const form = readForm(await page.text());
  return browser.request(form.action, { form: { ...form.fields, ...fields } });
}
