import type { RehomeApp } from '../app/compose.ts';
import { verifyEmailHandler } from '../app/verify-email-mount.ts';
import { createHelpHandler } from '../comms/help-handler.ts';
import { helpPageUrl } from '../core/comms/migration-notice.ts';
import { createConsoleHandler, type ConsoleHandler } from '../console/console-handler.ts';
import { logUnexpected } from '../http/log-error.ts';
import { createMetricsHandler } from '../http/metrics-handler.ts';
import type { RequestHandler } from '../http/request-handler.ts';
import { createProvisioningHandlers } from '../ims/admin-api/provisioning-handlers.ts';
import type { EmbeddedIms } from '../ims/embedded-ims.ts';
import { loadUrlRules, subscriptionByHost } from '../redirects/load-url-rules.ts';
import { createRedirectHandler } from '../redirects/redirect-handler.ts';
import type { RedirectGuide } from '../redirects/redirect-pages.ts';
import { createMemoryUnmatchedLog } from '../redirects/unmatched-log.ts';

export interface MountedParts {
  /** In the order they are tried after the IMS: /metrics, the console, /verify-email, /help, redirects. */
  handlers: RequestHandler[];
  console: ConsoleHandler;
  /** SCIM, the Admin API and its token endpoint: mounted before the IMS's own handler. */
  provisioning: RequestHandler;
}

/** Every part `rehome serve` mounts, from the one composed app: nothing here builds a port of its own. */
export function mountedHandlers(app: RehomeApp, ims: EmbeddedIms, options: { pollMs?: number } = {}): MountedParts {
  const { handlers: provisioning } = createProvisioningHandlers({
    store: app.store,
    directory: ims.directory,
    publicOrigin: ims.config.baseUrl,
    tokens: { issuer: `${ims.config.baseUrl}/ims/admin` },
    onError: (error) => logUnexpected('provisioning', error),
  });
  const migrationConsole = createConsoleHandler({ app, ims, ...(options.pollMs ? { pollMs: options.pollMs } : {}) });
  const { redirects } = app.config;
  // Old URLs -> the new URL structure, when a rules file is configured (docs/urls-and-links.md).
  // Links it cannot forward get a page with the product's new home and the help page of the host's subscription.
  const redirectHandler = redirects.rulesFile
    ? createRedirectHandler({
      rules: loadUrlRules(redirects.rulesFile, redirects.allowedHosts ?? []), unmatched: createMemoryUnmatchedLog(), mode: 'mounted',
      guide: guideFor(app, redirects.rulesFile, ims.config.baseUrl),
    })
    : undefined;
  return {
    console: migrationConsole,
    // Ahead of the IMS: its handler gives every other /ims/* path to the OIDC provider, which would answer the
    // Admin API (/ims/admin/v1) and its token endpoint (/ims/admin/token) with a 404.
    provisioning: async (req, res) => {
      for (const h of provisioning) if (await h(req, res)) return true;
      return false;
    },
    handlers: [
      // Prometheus scrapes (docs/operations.md); a bearer token when server.metricsToken is set.
      createMetricsHandler({ render: () => app.metrics.render(), token: app.config.server.metricsToken }),
      migrationConsole,
      // Product-side email verification links (docs/communications.md).
      verifyEmailHandler(app),
      // "What changes for me" per subscription, public, and its JSON for the product's banner (docs/communications.md).
      createHelpHandler({
        db: app.store.kysely, baseUrl: ims.config.baseUrl, now: app.now,
        imsName: app.config.ims.productName, brandText: app.config.ims.brandText,
        productName: app.config.comms.productName, productUrl: app.config.comms.productUrl, contact: app.config.comms.helpContact,
      }),
      ...(redirectHandler ? [redirectHandler] : []),
    ],
  };
}

function guideFor(app: RehomeApp, rulesFile: string, baseUrl: string): RedirectGuide {
  const subscriptions = subscriptionByHost(rulesFile);
  return {
    productName: app.config.comms.productName,
    productUrl: app.config.comms.productUrl,
    helpUrl: (host) => { const id = subscriptions.get(host); return id === undefined ? undefined : helpPageUrl(baseUrl, id); },
  };
}
