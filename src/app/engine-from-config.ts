import type { RehomeConfig } from '../config/config.ts';
import type { ScheduleRules } from '../core/migration/schedule.ts';
import { createExternalIdp } from '../adapters/idp/external/external-idp.ts';
import { embeddedEnginePorts } from './embedded-engine.ts';
import { createExternalOrgLinker } from '../adapters/idp/embedded/embedded-org-linker.ts';
import { createRehomeOwnedLinks } from '../adapters/links/rehome-owned-links.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import type { IdentityLinkWriter } from '../ports/engine-ports.ts';
import { createRestProductSource } from '../adapters/product/rest/rest-product-source.ts';
import { productSourceLinks } from '../adapters/links/product-source-links.ts';
import { createEmbeddedPasswordProvisioner, createPasswordProvisioner } from '../adapters/passwords/password-provisioner.ts';
import type { HashImportReport } from '../ims/passwords/hash-import-check.ts';
import { imsConfigFrom } from './ims-config-from.ts';
import { serverSecretsOf } from './server-secrets.ts';
import { createOutboxMailer } from '../mail/outbox-mailer.ts';
import { createSmtpMailer } from '../mail/smtp-mailer.ts';

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
export function enginePortsFromConfig(config: RehomeConfig, store: StoreAdapter, opts: { orgId: string; subscriptionId: string; actor: string; onEvent?: EnginePorts['onEvent']; hashCheck?: HashImportReport }): EnginePorts {
  if (config.idp.kind === 'embedded') {
    const ports = embeddedEnginePorts({ store, orgId: opts.orgId, issuer: issuerOf(config), actor: opts.actor, links: linksOf(config, opts.subscriptionId), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
    return { ...ports, passwords: embeddedPasswords(config, store, opts.actor, opts.hashCheck) };
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
  return { db: store.kysely, idp, orgs: createExternalOrgLinker(), links: linksOf(config, opts.subscriptionId), passwords: createPasswordProvisioner({ db: store.kysely, idp: { kind: 'external' } }), now: () => new Date(), actor: opts.actor, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) };
}

/**
 * Invitations, imported hashes or lazy migration (migration.passwordStrategy) against the embedded IMS: invitation
 * links are signed with the server's secret and mailed through the same outbox or SMTP server the IMS uses.
 */
function embeddedPasswords(config: RehomeConfig, store: StoreAdapter, actor: string, hashCheck?: HashImportReport): EnginePorts['passwords'] {
  const imsConfig = imsConfigFrom(config, serverSecretsOf(config), `http://${config.server.host}:${config.server.port}`);
  const mailer = imsConfig.smtp ? createSmtpMailer(store.kysely, imsConfig.smtp) : createOutboxMailer(store.kysely);
  return createEmbeddedPasswordProvisioner({ store, imsConfig, mailer, actor, ...(hashCheck ? { hashCheck } : {}) });
}
