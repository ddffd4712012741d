import { TOKEN_PATH } from '../../ims/admin-api/token-endpoint.ts';
import type { EmbeddedIms } from '../../ims/embedded-ims.ts';
import { AppError } from '../app-error.ts';
import type { RehomeApp } from '../compose.ts';

/**
 * The embedded IMS the `rehome ims` actions manage. With `idp.kind: external` there is none: organizations, their
 * clients, domains and SSO live at that IdP, and saying so beats creating rows nothing reads.
 */
export async function embeddedIms(app: RehomeApp, what: string): Promise<EmbeddedIms> {
  if (app.config.idp.kind !== 'embedded') {
    throw new AppError('not_configured', `idp.kind is external: ${what} at that IdP; these commands manage the embedded IMS`);
  }
  return app.ims();
}

/** Where an org client gets tokens and provisions: the composed server's public URL (`server.publicUrl`). */
export function provisioningUrls(app: RehomeApp): { tokenEndpoint: string; scimUrl: string } {
  return { tokenEndpoint: `${app.baseUrl}${TOKEN_PATH}`, scimUrl: `${app.baseUrl}/scim/v2` };
}
