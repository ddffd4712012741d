/**
 * The three provisioning faces wired together for a server to mount: the token endpoint (`/ims/admin/token`),
 * SCIM (`/scim/v2`) and the Admin API (`/ims/admin/v1`). Each handler returns false for paths not its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TxtResolver } from '../directory/domain-verification.ts';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';
import { createScimHandler } from '../scim/scim-handler.ts';
import { createAccessTokens, createBearerAuthenticator, type AccessTokenOptions, type AccessTokens } from './access-tokens.ts';
import { createAdminApiHandler } from './admin-api-handler.ts';
import type { AdminStoreHandle } from './admin-tables.ts';
import { createTokenEndpoint } from './token-endpoint.ts';

export interface ProvisioningOptions {
  store: AdminStoreHandle;
  directory: ImsDirectoryService;
  tokens?: AccessTokenOptions;
  /** Origin for SCIM `meta.location` (`https://ims.example`); default from the Host header. */
  publicOrigin?: string;
  onError?: (error: unknown) => void;
  /** TXT look-ups for domain claims' DNS proof (default: the system resolver); tests pass their own. */
  resolveTxt?: TxtResolver;
}

export interface ProvisioningHandlers {
  /** Try each in order; the first that returns true handled the request. */
  handlers: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>)[];
  tokens: AccessTokens;
}

export function createProvisioningHandlers(options: ProvisioningOptions): ProvisioningHandlers {
  const tokens = createAccessTokens(options.store, options.tokens);
  const authenticate = createBearerAuthenticator(tokens);
  const shared = { directory: options.directory, authenticate, ...(options.onError ? { onError: options.onError } : {}) };
  return {
    tokens,
    handlers: [
      createTokenEndpoint({ store: options.store, tokens }),
      createScimHandler({ ...shared, ...(options.publicOrigin ? { publicOrigin: options.publicOrigin } : {}) }),
      createAdminApiHandler({ ...shared, ...(options.resolveTxt ? { resolveTxt: options.resolveTxt } : {}) }),
    ],
  };
}
