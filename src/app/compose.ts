import { readFileSync } from 'node:fs';
import type { RehomeConfig } from '../config/config.ts';
import { createExternalIdp } from '../adapters/idp/external/external-idp.ts';
import { createEmbeddedIdp } from '../adapters/idp/embedded/embedded-idp.ts';
import { createEmbeddedOrgLinker, createExternalOrgLinker } from '../adapters/idp/embedded/embedded-org-linker.ts';
import { productSourceLinks } from '../adapters/links/product-source-links.ts';
import { createRehomeOwnedLinks } from '../adapters/links/rehome-owned-links.ts';
import { createEmbeddedPasswordProvisioner, createPasswordProvisioner } from '../adapters/passwords/password-provisioner.ts';
import { createRestPasswordVerifier } from '../adapters/product/rest/rest-password-verifier.ts';
import { createRestProductSource } from '../adapters/product/rest/rest-product-source.ts';
import type { ScheduleRules } from '../core/migration/schedule.ts';
import { createEmbeddedIms, type EmbeddedIms } from '../ims/embedded-ims.ts';
import { createStoreImsDirectory } from '../ims/directory/store-ims-directory.ts';
import { accountMails } from '../ims/accounts/account-mails.ts';
import type { ImsClientConfig, ImsConfig } from '../ims/ims-config.ts';
import type { HashImportReport } from '../ims/passwords/hash-import-check.ts';
import type { LegacyPasswordVerifier } from '../ims/passwords/password-strategy.ts';
import type { Mailer } from '../mail/mailer.ts';
import { markActivated } from '../engine/admin-actions.ts';
import { logUnexpected } from '../http/log-error.ts';
import { createOutboxMailer } from '../mail/outbox-mailer.ts';
import { createSmtpMailer } from '../mail/smtp-mailer.ts';
import type { EngineEvent, EnginePorts, IdentityLinkWriter } from '../ports/engine-ports.ts';
import type { ProductSource } from '../ports/product-source.ts';
import type { CommsDeps } from '../comms/send-comms.ts';
import { AppError } from './app-error.ts';
import { commsDepsFrom } from './comms-wiring.ts';
import { instrumentEnginePorts, instrumentMailer } from './instrumented-ports.ts';
import { createLogger, type LogDestination, type Logger } from './logger.ts';
import { createRehomeMetrics, type RehomeMetrics } from './metrics.ts';
import { consoleClientRegistration } from './console-client.ts';
import { imsConfigFrom, smtpOf } from './ims-config-from.ts';
import { openConfiguredStore } from './open-configured-store.ts';
import type { StoreAdapter } from './rehome-store.ts';
import { serverSecretsOf, type ServerSecrets } from './server-secrets.ts';

/** What an engine run acts for: the subscription's organization, who acts, where progress goes. */
export interface EngineRunInput {
  orgId: string;
  subscriptionId: string;
  actor: string;
  onEvent?: (event: EngineEvent) => void;
  /** The `--hash-sample` report, for phase 1 of an `import_hashes` subscription. */
  hashCheck?: HashImportReport;
}

/** A part a face may need that the configuration leaves out, and the option that sets it. */
export interface ConfigGap {
  part: 'product' | 'mail' | 'product_url';
  option: string;
  consequence: string;
}

/**
 * Rehome, composed once from the validated config: the store, the IdP (embedded or external), the product's
 * connection, the mailer, the password provisioner, the communication plan and the clock. Every face (CLI, server,
 * console, workers, demo) takes its services from here and builds none itself, so the same action does the same
 * thing wherever it is pressed.
 */
export interface RehomeApp extends AsyncDisposable {
  readonly config: RehomeConfig;
  readonly store: StoreAdapter;
  readonly now: () => Date;
  /** Rehome's server as people reach it (links in mails, the embedded IMS's issuer). */
  readonly baseUrl: string;
  /** The issuer users sign in with: the external IdP's, or the embedded IMS's (`<baseUrl>/ims`). */
  readonly issuer: string;
  readonly mailer: Mailer;
  readonly scheduleRules: ScheduleRules;
  /** This app's metrics (its own registry): engine events, IdP calls, sign-ins, mails; faces expose them at /metrics. */
  readonly metrics: RehomeMetrics;
  /** The JSON log (`server.logLevel`) the server writes its access lines and errors to. */
  readonly log: Logger;
  secrets(): ServerSecrets;
  /** The embedded IMS's settings (the console and the configured product clients registered). */
  imsConfig(): ImsConfig;
  /** The embedded IMS, built on first use (the server mounts it; its mailer and config are this app's). */
  ims(): Promise<EmbeddedIms>;
  /** The product's Rehome API for a subscription, when `product.url` is set. */
  productSource(subscriptionId: string): ProductSource | undefined;
  /** The product's legacy password check, for the `lazy` strategy. */
  readonly legacyPasswords: LegacyPasswordVerifier | undefined;
  enginePorts(input: EngineRunInput): EnginePorts;
  comms(actor: string): CommsDeps;
  /** Parts not configured, for a face to say at start (instead of silently doing less). */
  gaps(): ConfigGap[];
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** A store opened elsewhere (tests sharing one database); closed by its owner, not by the app. */
  store?: StoreAdapter;
  /** The server's bound URL when it differs from the config's (port 0); `server.publicUrl` still wins. */
  baseUrl?: string;
  now?: () => Date;
  /**
   * Wraps every engine port bundle the app hands out: the one seam for fault injection in tests and benchmarks (a
   * slow or failing IdP), so those still run the composed app rather than a harness.
   */
  wrapPorts?: (ports: EnginePorts) => EnginePorts;
  /** Where the JSON log goes; default stdout (tests capture it). */
  logTo?: LogDestination;
}

export async function composeRehome(config: RehomeConfig, options: ComposeOptions = {}): Promise<RehomeApp> {
  const ownStore = !options.store;
  const store = options.store ?? await openConfiguredStore(config);
  const now = options.now ?? (() => new Date());
  const log = createLogger({ level: config.server.logLevel, ...(options.logTo ? { destination: options.logTo } : {}) });
  const metrics = createRehomeMetrics(store.dialect === 'postgres' ? { queue: { db: store.kysely, log } } : {});
  const boundUrl = options.baseUrl ?? `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${config.server.port}`;
  const baseUrl = (config.server.publicUrl ?? boundUrl).replace(/\/+$/, '');
  const issuer = config.idp.kind === 'external' ? config.idp.issuer! : `${baseUrl}/ims`;
  let secrets: ServerSecrets | undefined;
  const secretsOf = (): ServerSecrets => (secrets ??= serverSecretsOf(config));
  let imsConfig: ImsConfig | undefined;
  const imsConfigOf = (): ImsConfig => (imsConfig ??= imsConfigFrom(config, secretsOf(), baseUrl, [consoleClientRegistration(baseUrl, secretsOf().linkSecret), ...productClients(config)]));
  // From `mail.*` alone: a command that only mails (or only plans) must not need the server's secrets.
  const smtpOptions = smtpOf(config);
  const smtp = smtpOptions ? createSmtpMailer(store.kysely, smtpOptions) : undefined;
  const mailer: Mailer = instrumentMailer(smtp ?? createOutboxMailer(store.kysely, { now }), metrics);
  const legacyPasswords = config.product.url ? createRestPasswordVerifier({ baseUrl: config.product.url, token: config.product.token! }) : undefined;
  // One directory for every face (the CLI's engine, the server's IMS, SCIM, the console): one address rule, one
  // policy (`matching.*`), and one way to tell a person their unconfirmed sign-up gave way to their organization.
  const directory = createStoreImsDirectory(store, {
    emailPolicy: { caseFoldLocalPart: config.matching.caseFoldLocalPart },
    onSignUpsCancelled: async (accounts) => {
      for (const a of accounts) await mailer.send(accountMails.signUpCancelled({ to: a.email, product: config.ims.productName, key: `ims:signup-cancelled:${a.id}` }));
    },
  });
  let ims: Promise<EmbeddedIms> | undefined;
  const m = config.migration;
  const scheduleRules: ScheduleRules = { minDaysAhead: m.minDaysAhead, maxDaysAhead: m.maxDaysAhead, lockHoursBefore: m.lockHoursBefore, windowDays: m.windowDays, extensionDays: m.extensionDays, maxExtensions: m.maxExtensions };

  const productSource = (subscriptionId: string): ProductSource | undefined => config.product.url
    ? createRestProductSource({ baseUrl: config.product.url, subscriptionId, token: config.product.token! })
    : undefined;
  /** The product's link table: its REST API when configured, else Rehome's own store. */
  const linksOf = (subscriptionId: string): IdentityLinkWriter => {
    const source = productSource(subscriptionId);
    return source ? productSourceLinks(source) : createRehomeOwnedLinks();
  };

  const wrap = options.wrapPorts ?? ((ports: EnginePorts) => ports);
  // Instrumented outermost: a fault `wrapPorts` injects is counted as the IdP's answer, as a real one would be.
  const enginePorts = (input: EngineRunInput): EnginePorts => instrumentEnginePorts(wrap(composeEnginePorts(input)), metrics);
  const composeEnginePorts = (input: EngineRunInput): EnginePorts => {
    const common = { db: store.kysely, links: linksOf(input.subscriptionId), now, actor: input.actor, ...(input.onEvent ? { onEvent: input.onEvent } : {}) };
    if (config.idp.kind === 'embedded') {
      return {
        ...common,
        idp: createEmbeddedIdp({ directory, orgId: input.orgId, issuer }),
        orgs: createEmbeddedOrgLinker(directory),
        passwords: createEmbeddedPasswordProvisioner({ store, imsConfig: imsConfigOf(), mailer, actor: input.actor, ...(input.hashCheck ? { hashCheck: input.hashCheck } : {}) }),
      };
    }
    const idp = createExternalIdp({
      issuer: config.idp.issuer!,
      baseUrl: config.idp.scimUrl!,
      auth: { kind: 'client_credentials', clientId: config.idp.clientId!, clientSecret: config.idp.clientSecret!, ...(config.idp.tokenEndpoint ? { tokenEndpoint: config.idp.tokenEndpoint } : {}) },
      batchSize: config.idp.batchSize,
      bulk: config.idp.bulk,
      requestsPerMinute: config.idp.requestsPerMinute,
      concurrency: config.idp.concurrency,
      timeoutMs: config.idp.timeoutMs,
    });
    return { ...common, idp, orgs: createExternalOrgLinker(), passwords: createPasswordProvisioner({ db: store.kysely, idp: { kind: 'external' }, actor: input.actor }) };
  };

  // "Activated" on the console counts people who signed in through the IMS at least once: told by the IMS, live.
  const recordSignIn = (accountId: string): void => {
    metrics.signIn('success');
    markActivated({ db: store.kysely, now, actor: 'ims:sign-in' }, accountId).catch((error: unknown) => logUnexpected('activation', error));
  };
  const app: RehomeApp = {
    config, store, now, baseUrl, issuer, mailer, scheduleRules, legacyPasswords, metrics, log,
    secrets: secretsOf,
    imsConfig: imsConfigOf,
    ims: () => (ims ??= createEmbeddedIms({ store, directory, config: imsConfigOf(), mailer, onSignIn: recordSignIn, onSignInFailed: (code) => metrics.signIn('failure', code), now, ...(legacyPasswords ? { legacyPasswords } : {}) })),
    productSource,
    enginePorts,
    comms: (actor) => commsDepsFrom({ db: store.kysely, mailer, config, secret: secretsOf().linkSecret, baseUrl, actor, now }),
    gaps: () => configGaps(config),
    async close() {
      if (ims) await (await ims)[Symbol.asyncDispose]();
      smtp?.close();
      if (ownStore) await store[Symbol.asyncDispose]();
    },
    [Symbol.asyncDispose]: () => app.close(),
  };
  return app;
}

/** The product's own OIDC clients at the embedded IMS (`ims.clientsFile`). */
function productClients(config: RehomeConfig): ImsClientConfig[] {
  const file = config.ims.clientsFile;
  if (!file) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AppError('not_configured', `ims.clientsFile ${file}: cannot read a JSON list of clients (${(e as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new AppError('not_configured', `ims.clientsFile ${file}: expected a JSON array of clients`);
  return parsed.map((c: Partial<ImsClientConfig>, i) => {
    if (typeof c?.clientId !== 'string' || !Array.isArray(c.redirectUris)) throw new AppError('not_configured', `ims.clientsFile ${file}: client ${i + 1} needs "clientId" and "redirectUris"`);
    return c as ImsClientConfig;
  });
}

function configGaps(config: RehomeConfig): ConfigGap[] {
  const gaps: ConfigGap[] = [];
  if (!config.product.url) gaps.push({ part: 'product', option: 'product.url (REHOME_PRODUCT_URL) and product.token (REHOME_PRODUCT_TOKEN)', consequence: 'links and cutovers are kept in Rehome\'s store only: the product is not told who moved, and its legacy login stays open until you export the links' });
  if (!config.mail.smtpHost) gaps.push({ part: 'mail', option: 'mail.smtpHost (REHOME_SMTP_HOST)', consequence: `mail (invitations, verification links) goes to the outbox in the store only${config.ims.devOutbox ? ', readable at /ims/dev/outbox' : ': set ims.devOutbox to read it in a browser'}` });
  if (!config.comms.productUrl) gaps.push({ part: 'product_url', option: 'comms.productUrl (REHOME_NEW_PRODUCT_URL)', consequence: 'the announcement and after-migration mails cannot be sent (they must say where the product lives)' });
  return gaps;
}
