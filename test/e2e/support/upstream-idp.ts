import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { UPSTREAM_CLIENT } from './federation-harness.ts';

/**
 * A bare oidc-provider on 127.0.0.1 standing in for an organization's IdP whose claims a test controls exactly
 * (e.g. no `email_verified` at all). Whoever arrives is signed in as the subject named by `login_hint` (unknown
 * subjects get `access_denied`); claims are
 * only at userinfo (oidc-provider's default `conformIdTokenClaims`), as many real IdPs do.
 */
export interface ClaimsIdp {
  issuer: string;
  /** Claims per subject (besides `sub`), e.g. `{ email, email_verified }`. */
  people: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startClaimsIdp(redirectUri: string): Promise<ClaimsIdp> {
  const people = new Map<string, Record<string, unknown>>();
  let provider!: Provider;
  const server = createServer(async (req, res) => {
    try {
      const interaction = /^\/interaction\/([\w-]+)$/.exec(req.url ?? '');
      if (!interaction) return await provider.callback()(req, res);
      const details = await provider.interactionDetails(req, res);
      const sub = String(details.params.login_hint);
      // An unknown person is turned away, as an IdP does when someone cancels.
      const result = people.has(sub) ? { login: { accountId: sub } } : { error: 'access_denied', error_description: 'cancelled' };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  provider = new Provider(issuer, {
    clients: [{ client_id: UPSTREAM_CLIENT.clientId, client_secret: UPSTREAM_CLIENT.clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test', alg: 'RS256', use: 'sig' }] as never },
    cookies: { keys: ['claims-idp-cookie-key-0123456789abcdef'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name'] },
    ttl: { AccessToken: 600, AuthorizationCode: 600, IdToken: 600, Interaction: 600, Grant: 600, Session: 600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => (people.has(sub) ? { accountId: sub, claims: async () => ({ sub, ...people.get(sub) }) } : undefined),
    // Consent is not what these tests are about: every client gets what it asks for.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
  });
  return {
    issuer,
    people,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
