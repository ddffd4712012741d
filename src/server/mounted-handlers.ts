import type { RehomeConfig } from '../config/config.ts';
import { logUnexpected } from '../http/log-error.ts';
import type { EmbeddedIms } from '../ims/embedded-ims.ts';
import { createProvisioningHandlers } from '../ims/admin-api/provisioning-handlers.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import { createConsoleHandler, type ConsoleHandler } from '../console/console-handler.ts';
import { verificationFromComms } from '../app/verification-sender.ts';
import { enginePortsFromConfig } from '../app/engine-from-config.ts';
import type { RequestHandler } from '../http/request-handler.ts';
import { createRedirectHandler } from '../redirects/redirect-handler.ts';
import { createMemoryUnmatchedLog } from '../redirects/unmatched-log.ts';
import { loadUrlRules } from '../redirects/load-url-rules.ts';
import { mountVerifyEmail } from '../app/comms-wiring.ts';
import { storeSupportReports } from '../app/store-support-reports.ts';

/**
 * The parts mounted after the IMS, in the order they are tried: token endpoint, SCIM 2.0, Admin API, the
 * migration console (`/console`). `onClose` collects what must stop before the store closes (console runs).
 */
export function mountedHandlers(store: StoreAdapter, config?: RehomeConfig, onClose?: (close: () => Promise<void>) => void): ((ims: EmbeddedIms) => RequestHandler)[] {
  // Old URLs -> the new URL structure, when a rules file is configured (docs/urls-and-links.md).
  const redirects = config?.redirects.rulesFile
    ? createRedirectHandler({ rules: loadUrlRules(config.redirects.rulesFile, config.redirects.allowedHosts ?? []), unmatched: createMemoryUnmatchedLog(), mode: 'mounted' })
    : undefined;
  return [
    (ims) => {
      const { handlers } = createProvisioningHandlers({
        store,
        directory: ims.directory,
        publicOrigin: ims.config.baseUrl,
        tokens: { issuer: `${ims.config.baseUrl}/ims/admin` },
        onError: (error) => logUnexpected('provisioning', error),
      });
      return async (req, res) => {
        for (const h of handlers) if (await h(req, res)) return true;
        return false;
      };
    },
    (ims) => {
      const migrationConsole: ConsoleHandler = createConsoleHandler({
        store, ims, supportReports: storeSupportReports(store.kysely),
        ...(config ? {
          config,
          sendVerification: verificationFromComms({ db: store.kysely, mailer: ims.mailer, config, secret: ims.config.linkSecret, baseUrl: ims.config.baseUrl }),
          // The embedded IMS's issuer is the bound server URL (port 0 included); the config's view is needed for
          // an external IdP or the product's own link table.
          ...(config.idp.kind === 'external' || config.product.url ? { enginePorts: (i: Parameters<typeof enginePortsFromConfig>[2]) => enginePortsFromConfig(config, store, i) } : {}),
        } : {}),
      });
      onClose?.(() => migrationConsole.close());
      return migrationConsole;
    },
    // Product-side email verification links (docs/communications.md).
    ...(config ? [mountVerifyEmail({ store, config })] : []),
    ...(redirects ? [() => redirects] : []),
  ];
}
