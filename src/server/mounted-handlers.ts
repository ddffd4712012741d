import type { EmbeddedIms } from '../ims/embedded-ims.ts';
import { createProvisioningHandlers } from '../ims/admin-api/provisioning-handlers.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import type { RequestHandler } from './http-server.ts';

/** The parts mounted after the IMS, in the order they are tried: token endpoint, SCIM 2.0, Admin API. */
export function mountedHandlers(store: StoreAdapter): ((ims: EmbeddedIms) => RequestHandler)[] {
  return [
    (ims) => {
      const { handlers } = createProvisioningHandlers({
        store,
        directory: ims.directory,
        publicOrigin: ims.config.baseUrl,
        tokens: { issuer: `${ims.config.baseUrl}/ims/admin` },
        onError: (error) => console.error('provisioning: unhandled error', (error as Error)?.name, (error as { code?: string })?.code ?? ''),
      });
      return async (req, res) => {
        for (const h of handlers) if (await h(req, res)) return true;
        return false;
      };
    },
  ];
}
