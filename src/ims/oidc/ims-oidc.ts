import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';
import type { ImsConfig } from '../ims-config.ts';
import type { ImsDb } from '../ims-tables.ts';
import { buildProviderConfiguration } from './provider-configuration.ts';
import { addSigningKey, ensureSigningKeys, loadSigningKeys } from './signing-keys.ts';
import { createStoreOidcAdapter, purgeExpiredOidcState, revokeAccountState } from './store-oidc-adapter.ts';

/** A token issued to a machine client with the client-credentials grant (SCIM, Admin API). */
export interface ClientTokenInfo {
  clientId: string;
  scopes: string[];
  /** `orgId` of the client's configuration (the tenant it acts for), or null. */
  orgId: string | null;
}

/** The OpenID Connect provider of the embedded IMS; issuer `<baseUrl>/ims`, mounted at `/ims`. */
export interface ImsOidc {
  readonly issuer: string;
  /** The current oidc-provider instance (replaced by `rotateSigningKey`; read it per request). */
  readonly provider: Provider;
  /** Serves a request whose path starts with the issuer's path (`/ims/...`). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Adds a new current signing key; the previous key stays in the JWKS so earlier tokens still verify. */
  rotateSigningKey(): Promise<string>;
  /** Ends every session, grant and token of the account. */
  revokeAccount(accountId: string): Promise<void>;
  /** Checks a client-credentials access token; undefined when unknown or expired. */
  verifyClientToken(token: string): Promise<ClientTokenInfo | undefined>;
}

export async function createImsOidc(options: { db: ImsDb; directory: ImsDirectoryService; config: ImsConfig; onSignIn?: (accountId: string) => void }): Promise<ImsOidc> {
  const { db, directory, config } = options;
  const adapter = createStoreOidcAdapter(db);
  const mountPath = new URL(config.issuer).pathname;
  await purgeExpiredOidcState(db);

  const build = (keys: Awaited<ReturnType<typeof loadSigningKeys>>): { provider: Provider; callback: ReturnType<Provider['callback']> } => {
    const provider = new Provider(config.issuer, buildProviderConfiguration({ config, directory, adapter, keys }));
    provider.use(answerUnauthorizedClient);
    // Every completed authorization, by password, SSO or an existing IMS session: who signed in to which client.
    const onSignIn = options.onSignIn;
    if (onSignIn) provider.on('authorization.success', (ctx: { oidc?: { session?: { accountId?: string } } }) => {
      const accountId = ctx.oidc?.session?.accountId;
      if (accountId) onSignIn(accountId);
    });
    return { provider, callback: provider.callback() };
  };
  let current = build(await ensureSigningKeys(db));

  return {
    issuer: config.issuer,
    get provider() {
      return current.provider;
    },
    async handle(req, res) {
      const url = req.url ?? '/';
      // oidc-provider derives its mount path from originalUrl minus url (see oidc_context urlFor).
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      req.url = url.slice(mountPath.length) || '/';
      await current.callback(req, res);
    },
    async rotateSigningKey() {
      const kid = await addSigningKey(db);
      current = build(await loadSigningKeys(db));
      return kid;
    },
    revokeAccount: (accountId) => revokeAccountState(db, accountId),
    async verifyClientToken(token) {
      const found = await current.provider.ClientCredentials.find(token);
      if (!found || found.isExpired) return undefined;
      const client = config.clients.find((c) => c.clientId === found.clientId);
      return { clientId: found.clientId!, scopes: String(found.scope ?? '').split(' ').filter(Boolean), orgId: client?.orgId ?? null };
    },
  };
}

/** What oidc-provider (9.x) says, as `invalid_request`, when a client uses a grant type it was not registered for. */
const GRANT_NOT_ALLOWED = 'requested grant type is not allowed for this client';

/**
 * RFC 6749 §5.2: a client using a grant type it is not authorized for gets `unauthorized_client`, not
 * `invalid_request` (the request itself is well formed). oidc-provider answers the latter, so the token endpoint's
 * error is renamed on its way out; nothing else about the response changes.
 */
async function answerUnauthorizedClient(ctx: { path: string; status: number; body: unknown }, next: () => Promise<void>): Promise<void> {
  await next();
  if (ctx.path !== '/token' || ctx.status !== 400) return;
  const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
  if (body?.error === 'invalid_request' && body.error_description === GRANT_NOT_ALLOWED) body.error = 'unauthorized_client';
}
