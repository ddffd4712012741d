import type { IncomingMessage, ServerResponse } from 'node:http';
import * as oidc from 'openid-client';
import type { ImsClientConfig } from '../ims/ims-config.ts';
import { appendSetCookie, parseCookies } from '../http/http-io.ts';
import type { Store } from '../store/store.ts';
import { safeConsolePath, seeOther } from './console-http.ts';
import { ConsoleError } from './console-error.ts';
import { digest, randomToken, type ConsoleDb, type Sessions } from './session.ts';

const LOGIN_COOKIE = 'rehome_console_login';
const LOGIN_SECONDS = 600;

export interface SignInDeps {
  db: ConsoleDb;
  store: Pick<Store, 'appendAudit'>;
  sessions: Sessions;
  issuer: string;
  baseUrl: string;
  /** The console's client registration in the IMS config, when present. */
  client: ImsClientConfig | undefined;
  now: () => Date;
  secure: boolean;
}

/**
 * The console as an OpenID Connect relying party of the IMS (openid-client 6): authorization code with PKCE
 * (S256), `state` and `nonce`, all three kept server-side for one pending sign-in per browser and spent once.
 * Discovery is lazy: the issuer is this very server, which only answers once it listens.
 */
export function createSignIn(deps: SignInDeps) {
  let configuration: Promise<oidc.Configuration> | undefined;
  const rp = () => {
    if (!deps.client) throw new ConsoleError('console_not_registered', `the IMS has no client ${'rehome-console'}: register it with consoleClientRegistration()`);
    const client = deps.client;
    configuration ??= oidc.discovery(new URL(deps.issuer), client.clientId, client.clientSecret, undefined, deps.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .catch((error: unknown) => { configuration = undefined; throw error; });
    return configuration;
  };
  const loginCookie = (value: string, maxAge: number) => `${LOGIN_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${deps.secure ? '; Secure' : ''}`;

  return {
    available: () => deps.client !== undefined,

    /** GET /console/login: remembers state, nonce and verifier, then sends the browser to the IMS. */
    async start(res: ServerResponse, returnTo: string | null): Promise<void> {
      const config = await rp();
      const id = randomToken();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const at = deps.now();
      await deps.db.deleteFrom('console_logins').where('expires_at', '<', at.toISOString()).execute();
      await deps.db.insertInto('console_logins').values({
        id_hash: digest(id), state, nonce, verifier, return_to: safeConsolePath(returnTo), expires_at: new Date(at.getTime() + LOGIN_SECONDS * 1000).toISOString(),
      }).execute();
      appendSetCookie(res, loginCookie(id, LOGIN_SECONDS));
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: deps.client!.redirectUris[0]!, scope: 'openid email profile', state, nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      seeOther(res, url.href);
    },

    /** GET /console/callback: checks state, PKCE, nonce and the ID token, then opens a fresh session. */
    async callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const id = parseCookies(req)[LOGIN_COOKIE];
      appendSetCookie(res, loginCookie('', 0));
      const pending = id ? await deps.db.selectFrom('console_logins').selectAll().where('id_hash', '=', digest(id)).executeTakeFirst() : undefined;
      if (pending) await deps.db.deleteFrom('console_logins').where('id_hash', '=', pending.id_hash).execute();
      if (!pending || pending.expires_at <= deps.now().toISOString()) {
        throw new ConsoleError('sign_in_failed', 'This sign-in took too long or was started in another browser. Please sign in again.');
      }
      const current = new URL(req.url ?? '/', deps.baseUrl);
      if (current.searchParams.get('error')) {
        throw new ConsoleError('sign_in_failed', current.searchParams.get('error') === 'access_denied' ? 'Sign-in was cancelled.' : 'The IMS could not sign you in. Please try again.');
      }
      let claims: oidc.IDToken | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(await rp(), current, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
        claims = tokens.claims();
      } catch (error) {
        throw new ConsoleError('sign_in_failed', 'The answer from the IMS did not verify. Please sign in again.', { cause: error });
      }
      if (!claims?.sub) throw new ConsoleError('sign_in_failed', 'The IMS did not say who signed in. Please sign in again.');
      const name = typeof claims.name === 'string' && claims.name ? claims.name : typeof claims.email === 'string' ? claims.email : 'IMS account';
      await deps.sessions.start(res, { kind: 'ims', subject: claims.sub, displayName: name });
      await deps.store.appendAudit({ at: deps.now().toISOString(), actor: `admin:${claims.sub}`, action: 'console:signed_in', details: { via: 'ims' } });
      res.statusCode = 303;
      res.setHeader('location', pending.return_to);
      res.setHeader('cache-control', 'no-store');
      res.end();
    },
  };
}

export type SignIn = ReturnType<typeof createSignIn>;
