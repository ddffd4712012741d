import type { RehomeConfig } from '../config/config.ts';
import type { ScheduleRules } from '../core/migration/schedule.ts';
import { createExternalIdp } from '../adapters/idp/external/external-idp.ts';
import { embeddedEnginePorts } from '../migration/embedded-engine.ts';
import { createExternalOrgLinker } from '../migration/embedded-org-linker.ts';
import { createRehomeOwnedLinks } from '../migration/rehome-link-writer.ts';
import type { EnginePorts } from '../migration/engine-ports.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import type { IdentityLinkWriter } from '../migration/engine-ports.ts';
import { createRestProductSource } from '../adapters/product/rest/rest-product-source.ts';
import { productSourceLinks } from '../migration/product-source-links.ts';

/** The product's link table: its REST API when configured, else Rehome's own store. */
function linksOf(config: RehomeConfig, subscriptionId: string): IdentityLinkWriter {
  return config.product.url
    ? productSourceLinks(createRestProductSource({ baseUrl: config.product.url, subscriptionId, token: config.product.token! }))
    : createRehomeOwnedLinks();
}

/** The issuer users will sign in with: the external IdP's, or the embedded IMS's at the server's public URL. */
export function issuerOf(config: RehomeConfig): string {
  if (config.idp.issuer) return config.idp.issuer;
  return `${config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`}/ims`;
}

export function scheduleRulesOf(config: RehomeConfig): ScheduleRules {
  const m = config.migration;
  return { minDaysAhead: m.minDaysAhead, maxDaysAhead: m.maxDaysAhead, lockHoursBefore: m.lockHoursBefore, windowDays: m.windowDays, extensionDays: m.extensionDays, maxExtensions: m.maxExtensions };
}

/** Engine ports from the validated config, acting for the organization the subscription is linked to. */
export function enginePortsFromConfig(config: RehomeConfig, store: StoreAdapter, opts: { orgId: string; subscriptionId: string; actor: string; onEvent?: EnginePorts['onEvent'] }): EnginePorts {
  if (config.idp.kind === 'embedded') {
    return embeddedEnginePorts({ store, orgId: opts.orgId, issuer: issuerOf(config), actor: opts.actor, links: linksOf(config, opts.subscriptionId), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
  }
  const idp = createExternalIdp({
    issuer: config.idp.issuer!,
    baseUrl: config.idp.scimUrl!,
    auth: { kind: 'client_credentials', clientId: config.idp.clientId!, clientSecret: config.idp.clientSecret!, ...(config.idp.tokenEndpoint ? { tokenEndpoint: config.idp.tokenEndpoint } : {}) },
    batchSize: config.idp.batchSize,
    requestsPerMinute: config.idp.requestsPerMinute,
    concurrency: config.idp.concurrency,
    timeoutMs: config.idp.timeoutMs,
  });
  return { db: store.kysely, idp, orgs: createExternalOrgLinker(), links: linksOf(config, opts.subscriptionId), now: () => new Date(), actor: opts.actor, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) };
}
