import * as oidc from 'openid-client';
import { hashPassword } from '../../../src/ims/accounts/passwords.ts';
import type { ImsOrgRecord } from '../../../src/ims/directory/ims-directory.ts';
import type { RunningServer } from '../../../src/server/http-server.ts';
import type { StoreAdapter } from '../../../src/store/open-store.ts';
import { readForm, TestBrowser } from './browser.ts';
import { RP, startAuthorization, startTestServer, type AuthorizationStart } from './ims-harness.ts';

/** The IMS's client at an upstream provider. */
export const UPSTREAM_CLIENT = { clientId: 'ims-downstream', clientSecret: 'ims-downstream-secret-0123456789abcdef' };

export const callbackOf = (downstream: RunningServer) => `${downstream.url}/ims/sso/callback`;

/**
 * A browser visiting two sites (the IMS and its upstream IdP): one cookie jar per origin, as for two hosts.
 * Both listen on 127.0.0.1, where a real browser would share cookies across ports; distinct hosts are the real case.
 */
export class CrossSiteBrowser {
  private readonly jars = new Map<string, TestBrowser>();

  jar(url: string | URL): TestBrowser {
    const origin = new URL(url).origin;
    let jar = this.jars.get(origin);
    if (!jar) this.jars.set(origin, (jar = new TestBrowser(origin)));
    return jar;
  }

  request(url: string | URL, init: Parameters<TestBrowser['request']>[1] = {}): Promise<Response> {
    return this.jar(url).request(new URL(url).href, init);
  }

  /** Follows redirects across origins until `stopAt` is reached (not fetched) or a non-redirect answers. */
  async follow(url: string | URL, stopAt?: string): Promise<{ response: Response; url: string }> {
    let current = new URL(url).href;
    for (let hop = 0; hop < 20; hop++) {
      if (stopAt && current.startsWith(stopAt)) return { response: new Response(null, { status: 200 }), url: current };
      const response = await this.request(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url: current };
      current = new URL(location, current).href;
    }
    throw new Error('too many redirects');
  }
}

/** A second embedded IMS acting as an organization's upstream IdP, with the downstream IMS as its client. */
export async function startUpstreamIms(store: StoreAdapter, downstream: RunningServer): Promise<RunningServer> {
  return startTestServer(store, {
    productName: 'Corp IdP',
    clients: [{ ...UPSTREAM_CLIENT, redirectUris: [callbackOf(downstream)], firstParty: true }],
  });
}

export async function addUpstreamPerson(upstream: RunningServer, input: { email: string; password: string; emailVerified: boolean; firstName?: string }) {
  return upstream.ims.directory.createAccount({
    email: input.email,
    emailVerified: input.emailVerified,
    firstName: input.firstName ?? '',
    passwordHash: await hashPassword(input.password),
  });
}

/** An org on the downstream IMS claiming `claimed` and federating `federated` (a subset) to `issuer`. */
export async function federateOrg(downstream: RunningServer, input: { name: string; claimed: string[]; federated: string[]; issuer: string }): Promise<ImsOrgRecord> {
  const { directory } = downstream.ims;
  const org = await directory.createOrg({ name: input.name });
  for (const domain of input.claimed) await directory.claimDomain(org.id, domain, 'test:setup');
  return directory.setSsoFederation(org.id, { domains: input.federated, issuer: input.issuer, ...UPSTREAM_CLIENT });
}

/** Opens the RP's authorization at the downstream IMS and submits the login page with `email` and no password. */
export async function submitLoginEmail(browser: CrossSiteBrowser, rp: oidc.Configuration, email: string, password = ''): Promise<{ start: AuthorizationStart; response: Response }> {
  const start = await startAuthorization(rp);
  const login = await browser.follow(start.url);
  const form = readForm(await login.response.text());
  const response = await browser.request(new URL(form.action, login.url), { form: { ...form.fields, email, password } });
  return { start, response };
}

/** Signs in on the upstream IMS's own login page; returns the downstream callback URL it sends the browser to. */
export async function signInUpstream(browser: CrossSiteBrowser, upstreamAuthUrl: string, email: string, password: string, callback: string): Promise<URL> {
  const login = await browser.follow(upstreamAuthUrl, callback);
  if (login.url.startsWith(callback)) return new URL(login.url);
  const form = readForm(await login.response.text());
  const posted = await browser.request(new URL(form.action, login.url), { form: { ...form.fields, email, password } });
  if (posted.status !== 303) throw new Error(`upstream login refused (${posted.status}): ${await posted.text()}`);
  const end = await browser.follow(new URL(posted.headers.get('location')!, login.url), callback);
  if (!end.url.startsWith(callback)) throw new Error(`upstream did not return: ${end.url} ${await end.response.text()}`);
  return new URL(end.url);
}

/** Opens the downstream callback and follows to the RP; returns the RP's redirect URL, or the page shown instead. */
export async function openCallback(browser: CrossSiteBrowser, callbackUrl: URL | string): Promise<{ url: string; response: Response }> {
  return browser.follow(callbackUrl, RP.redirectUri);
}

/** The whole federated sign-in for the RP, ending with the RP's tokens. */
export async function federatedTokens(browser: CrossSiteBrowser, rp: oidc.Configuration, downstream: RunningServer, email: string, password: string) {
  const { start, response } = await submitLoginEmail(browser, rp, email);
  if (response.status !== 303) throw new Error(`not sent upstream (${response.status})`);
  const callback = await signInUpstream(browser, response.headers.get('location')!, email, password, callbackOf(downstream));
  const end = await openCallback(browser, callback);
  if (!end.url.startsWith(RP.redirectUri)) throw new Error(`did not reach the RP: ${end.url} ${await end.response.text()}`);
  return oidc.authorizationCodeGrant(rp, new URL(end.url), { pkceCodeVerifier: start.verifier, expectedState: start.state });
}
