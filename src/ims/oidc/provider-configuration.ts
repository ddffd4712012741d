import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';
import type { ImsConfig } from '../ims-config.ts';
import { createFindAccount, imsClaims } from './account-claims.ts';
import { renderErrorPage, renderLogoutPage, renderLogoutSuccessPage } from '../http/provider-pages.ts';

/** Scopes machine clients may ask for with client credentials (SCIM and Admin API). */
export const machineScopes = ['scim', 'ims_admin'];

export interface ProviderConfigurationInput {
  config: ImsConfig;
  directory: ImsDirectoryService;
  adapter: Configuration['adapter'];
  keys: JWK[];
}

export function buildProviderConfiguration({ config, directory, adapter, keys }: ProviderConfigurationInput): Configuration {
  const firstParty = new Set(config.clients.filter((c) => c.firstParty).map((c) => c.clientId));
  return {
    adapter,
    clients: config.clients.map((c) => {
      const grantTypes = c.grantTypes ?? ['authorization_code', 'refresh_token'];
      return {
        client_id: c.clientId,
        ...(c.clientSecret ? { client_secret: c.clientSecret } : {}),
        token_endpoint_auth_method: c.clientSecret ? 'client_secret_basic' : 'none',
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
        grant_types: grantTypes,
        response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
        ...(c.allowedScopes ? { scope: ['openid', 'offline_access', 'email', 'profile', 'ims_org', ...c.allowedScopes].join(' ') } : {}),
      };
    }),
    findAccount: createFindAccount(directory),
    claims: imsClaims,
    scopes: ['openid', 'offline_access', 'email', 'profile', 'ims_org', ...machineScopes],
    // Scope-requested claims also go into the ID token, so relying parties see email_verified without userinfo.
    conformIdTokenClaims: false,
    // Authorization code only (RFC 9700 section 2.1.2: no implicit or hybrid flows).
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => renderLogoutPage(ctx, form, config),
        postLogoutSuccessSource: (ctx) => renderLogoutSuccessPage(ctx, config),
      },
    },
    jwks: { keys: keys as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: config.cookieKeys,
      long: { signed: true, sameSite: 'lax' },
      short: { signed: true, sameSite: 'lax' },
    },
    ttl: {
      AccessToken: config.ttl.accessToken,
      AuthorizationCode: config.ttl.authorizationCode,
      ClientCredentials: config.ttl.accessToken,
      IdToken: config.ttl.idToken,
      Interaction: config.ttl.interaction,
      Session: config.ttl.session,
      Grant: config.ttl.session,
      RefreshToken: config.ttl.refreshToken,
    },
    // RFC 9700 section 2.1.1: PKCE for every authorization code, confidential clients included.
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/ims/interaction/${interaction.uid}` },
    // Refresh tokens for every client allowed the grant; without offline_access they end with the session.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const clientId = ctx.oidc.client!.clientId;
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      const requested = [...ctx.oidc.requestParamScopes];
      const machine = requested.filter((s) => machineScopes.includes(s));
      if (!firstParty.has(clientId) && machine.length === 0) return existing;
      const grant = existing ?? new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session!.accountId! });
      if (firstParty.has(clientId)) {
        // First-party clients are part of the same service: consent is implied and covers what they ask for.
        grant.addOIDCScope(requested.filter((s) => !machineScopes.includes(s)).join(' '));
        const claims = [...ctx.oidc.requestParamClaims ?? []];
        if (claims.length > 0) grant.addOIDCClaims(claims);
      }
      // Machine scopes are honoured on client-credentials tokens only (SCIM, Admin API), never on a person's
      // login: recorded as rejected, so the consent prompt does not ask for them and no token carries them
      // (RFC 6749 §3.3 lets the server grant less than asked; the token response's scope says what was granted).
      if (machine.length > 0) grant.rejectOIDCScope(machine.join(' '));
      await grant.save();
      return grant;
    },
    renderError: (ctx, out, error) => renderErrorPage(ctx, out, error, config),
  };
}
