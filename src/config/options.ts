/**
 * Every configuration option, its type, default and documentation. docs/configuration.md is generated from this
 * list (`npm run docs:config`) and a test fails when the file is stale. Layers: defaults < rehome.config.json <
 * environment < command-line flags. Secrets come only from the environment.
 */
export interface OptionSpec {
  path: string;
  type: 'string' | 'boolean' | 'integer' | 'enum' | 'url' | 'list';
  values?: readonly string[];
  default: string | number | boolean | null;
  /** Environment variable that sets it (the only place secrets may come from). */
  env?: string;
  secret?: boolean;
  min?: number;
  max?: number;
  doc: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  { path: 'store.kind', type: 'enum', values: ['sqlite', 'postgres'], default: 'sqlite', env: 'REHOME_STORE',
    doc: 'Where Rehome keeps snapshots, readiness runs, migration state and the audit log. `sqlite` (embedded, one process) or `postgres` (large runs, several workers).' },
  { path: 'store.path', type: 'string', default: '.rehome/rehome.db',
    doc: 'SQLite database file, relative to the working directory. `:memory:` keeps nothing (tests).' },
  { path: 'store.url', type: 'url', default: null, env: 'REHOME_DATABASE_URL', secret: true,
    doc: 'PostgreSQL connection URL (`postgres://user@host:5432/db`). Required when `store.kind` is `postgres`; may carry a password, so set it in the environment.' },
  { path: 'matching.caseFoldLocalPart', type: 'boolean', default: true,
    doc: 'Compare the part of an address before `@` case-insensitively. Almost every mail provider does; turn off only if yours does not.' },
  { path: 'readiness.format', type: 'enum', values: ['table', 'json', 'csv', 'html'], default: 'table',
    doc: 'Default output format of `rehome readiness`.' },
  { path: 'server.host', type: 'string', default: '127.0.0.1', env: 'REHOME_HOST',
    doc: 'Interface `rehome serve` listens on.' },
  { path: 'server.port', type: 'integer', default: 4000, env: 'REHOME_PORT', min: 0, max: 65535,
    doc: 'Port `rehome serve` listens on (0 picks a free port).' },
  { path: 'server.publicUrl', type: 'url', default: null, env: 'REHOME_PUBLIC_URL',
    doc: 'The URL people reach the server at (issuer of the embedded IMS). Defaults to `http://<host>:<port>`.' },
  { path: 'server.allowInsecureHttp', type: 'boolean', default: false,
    doc: 'Allow an `http:` public URL that is not loopback. Only for closed test networks: tokens and passwords would cross the wire in clear.' },
  { path: 'server.metricsToken', type: 'string', default: null, env: 'REHOME_METRICS_TOKEN', secret: true,
    doc: 'Bearer token (16+ characters) Prometheus must send to scrape `/metrics` of `rehome serve` and `rehome worker --metrics-port`. Unset: `/metrics` is open to whoever reaches the port (docs/operations.md).' },
  { path: 'server.logLevel', type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', env: 'REHOME_LOG_LEVEL',
    doc: 'Least severe level of the JSON log `rehome serve` writes to stdout (`info`: one access line per request; `warn`: problems only).' },
  { path: 'ims.brandText', type: 'string', default: 'Continue with IMS',
    doc: 'The sign-in button and page heading of the embedded IMS ("Continue with <your identity system>").' },
  { path: 'ims.productName', type: 'string', default: 'IMS', doc: 'Name of the identity system in page titles and mails.' },
  { path: 'ims.devOutbox', type: 'boolean', default: false, env: 'REHOME_IMS_DEV_OUTBOX',
    doc: 'Serve `/ims/dev/outbox`, listing the mail the IMS would have sent (development and demos only; it shows verification links).' },
  { path: 'ims.clientsFile', type: 'string', default: null, env: 'REHOME_IMS_CLIENTS_FILE',
    doc: 'JSON file of the OpenID Connect clients the embedded IMS serves besides the migration console (which is always registered): `[{"clientId", "clientSecret", "redirectUris": [...], "firstParty": true}]`. The product\'s "Continue with IMS" is one.' },
  { path: 'ims.cookieKeys', type: 'list', default: null, env: 'REHOME_IMS_COOKIE_KEYS', secret: true,
    doc: 'Comma-separated keys (32+ characters each, newest first) that sign IMS cookies. On a loopback server without them, `rehome serve` generates keys once and keeps them in `.rehome/secrets.json` (mode 0600).' },
  { path: 'ims.linkSecret', type: 'string', default: null, env: 'REHOME_IMS_LINK_SECRET', secret: true,
    doc: 'HMAC secret (32+ characters) for mailed one-time links and CSRF tokens; generated like `ims.cookieKeys` on loopback.' },
  { path: 'ims.requestLimitPerAddress', type: 'integer', default: 5, min: 1, max: 100000,
    doc: 'Sign-ups, password-reset requests and verification resends (each counted on its own) per address per `ims.requestLimitWindowSeconds`; over it the IMS answers 429 and sends nothing.' },
  { path: 'ims.requestLimitPerClient', type: 'integer', default: 20, min: 1, max: 1000000,
    doc: 'The same requests per client address (IPv4 address, IPv6 /64) per window. Raise it when many people reach the server through one NAT or proxy.' },
  { path: 'ims.requestLimitWindowSeconds', type: 'integer', default: 3600, min: 60, max: 604800,
    doc: 'Length of the window those limits count in; a refused request may retry when it ends (`Retry-After`).' },
  { path: 'mail.smtpHost', type: 'string', default: null, env: 'REHOME_SMTP_HOST',
    doc: 'SMTP server for outgoing mail. Unset: mail goes to the database outbox (development).' },
  { path: 'mail.smtpPort', type: 'integer', default: 587, env: 'REHOME_SMTP_PORT', min: 1, max: 65535, doc: 'SMTP port.' },
  { path: 'mail.smtpSecure', type: 'boolean', default: false, doc: 'Implicit TLS (port 465); otherwise STARTTLS when the server offers it.' },
  { path: 'mail.smtpUser', type: 'string', default: null, env: 'REHOME_SMTP_USER', doc: 'SMTP user name.' },
  { path: 'mail.smtpPassword', type: 'string', default: null, env: 'REHOME_SMTP_PASSWORD', secret: true, doc: 'SMTP password.' },
  { path: 'mail.from', type: 'string', default: '"Rehome" <no-reply@rehome.invalid>', env: 'REHOME_MAIL_FROM', doc: 'From header of every mail.' },
  { path: 'idp.kind', type: 'enum', values: ['embedded', 'external'], default: 'embedded', env: 'REHOME_IDP',
    doc: 'Which identity system users move to: the embedded IMS on this store, or an external IdP over OIDC + SCIM 2.0 (docs/identity-providers.md).' },
  { path: 'idp.issuer', type: 'url', default: null, env: 'REHOME_IDP_ISSUER',
    doc: 'OpenID Connect issuer of the IdP. Embedded default: `<server.publicUrl or http://server.host:server.port>/ims`.' },
  { path: 'idp.scimUrl', type: 'url', default: null, env: 'REHOME_IDP_SCIM_URL', doc: 'SCIM 2.0 base URL of an external IdP (e.g. `https://idp.example/scim/v2`).' },
  { path: 'idp.tokenEndpoint', type: 'url', default: null, doc: 'OAuth token endpoint for client credentials; default: the issuer\'s discovery document.' },
  { path: 'idp.clientId', type: 'string', default: null, env: 'REHOME_IDP_CLIENT_ID', doc: 'Client id of Rehome at the external IdP (client credentials).' },
  { path: 'idp.clientSecret', type: 'string', default: null, env: 'REHOME_IDP_CLIENT_SECRET', secret: true, doc: 'Client secret of Rehome at the external IdP.' },
  { path: 'idp.batchSize', type: 'integer', default: 10, min: 1, max: 1000, doc: 'Members per group membership PATCH (large vendors allow 10); with SCIM Bulk, several such PATCHes travel in one request.' },
  { path: 'idp.bulk', type: 'enum', values: ['auto', 'off'], default: 'auto', doc: 'SCIM Bulk for an external IdP: `auto` uses it (and `or` look-ups) when its /ServiceProviderConfig advertises Bulk, within the limits it names; `off` sends one request per user and operation.' },
  { path: 'idp.requestsPerMinute', type: 'integer', default: 600, min: 1, max: 1000000, doc: 'Client-side rate limit of an external IdP (large vendors: 10 per minute per client for actions).' },
  { path: 'idp.concurrency', type: 'integer', default: 4, min: 1, max: 256, doc: 'Requests to an external IdP in flight at once.' },
  { path: 'idp.timeoutMs', type: 'integer', default: 15000, min: 100, max: 600000, doc: 'Per-request timeout for an external IdP.' },
  { path: 'migration.passwordStrategy', type: 'enum', values: ['invite', 'import_hashes', 'lazy'], default: 'invite',
    doc: 'How migrated users get an IMS password: an invitation to set one, the product\'s imported hashes, or lazily checked with the product at first sign-in.' },
  { path: 'migration.automaticThreshold', type: 'integer', default: 75, min: 0, max: 1000000,
    doc: 'Subscriptions with fewer movable users than this and no SSO run in automatic mode (no admin action needed).' },
  { path: 'migration.batchSize', type: 'integer', default: 1000, min: 1, max: 10000, doc: 'Users per batch of the user phase: one claim transaction, one IdP call per operation, one outcome transaction; also the users per queued job on PostgreSQL.' },
  { path: 'migration.concurrency', type: 'integer', default: 1, min: 1, max: 64, doc: 'Batches of the user phase in flight per run (SQLite has one writer: more helps only a slow external IdP).' },
  { path: 'migration.minDaysAhead', type: 'integer', default: 8, min: 0, max: 365, doc: 'Earliest user-migration date, in days from today (subscription time zone).' },
  { path: 'migration.maxDaysAhead', type: 'integer', default: 30, min: 1, max: 365, doc: 'Latest user-migration date, in days from today.' },
  { path: 'migration.lockHoursBefore', type: 'integer', default: 48, min: 0, max: 720, doc: 'The date can no longer be changed this many hours before it starts.' },
  { path: 'migration.windowDays', type: 'integer', default: 30, min: 1, max: 365, doc: 'Length of the self-service window from the migration date.' },
  { path: 'migration.extensionDays', type: 'integer', default: 7, min: 1, max: 90, doc: 'Days one extension adds to the window.' },
  { path: 'migration.maxExtensions', type: 'integer', default: 3, min: 0, max: 20, doc: 'How many times the window may be extended.' },
  { path: 'comms.templatesDir', type: 'string', default: null, doc: 'Directory of template files (`<name>.txt`, optional `<name>.html`) that replace the default mails of the communication plan (docs/communications.md).' },
  { path: 'comms.productUrl', type: 'url', default: null, env: 'REHOME_NEW_PRODUCT_URL', doc: 'Where the product lives after the move; the announcement and after-migration mails give it (required to send them).' },
  { path: 'comms.linkTtlHours', type: 'integer', default: 72, min: 1, max: 720, doc: 'How long an emailed verification link works (the reference product: 3 days).' },
  { path: 'comms.reminderDaysBefore', type: 'list', default: '7,3,1', doc: 'Reminders to unverified users, in days before the migration date (negative: after it, while the window is open).' },
  { path: 'comms.noticeDaysBefore', type: 'integer', default: 1, min: 0, max: 30, doc: 'The migration-day notice goes out this many days before the date (0: on the day).' },
  { path: 'comms.sendHour', type: 'integer', default: 9, min: 0, max: 23, doc: 'Local hour (subscription time zone) from which scheduled mails are due.' },
  { path: 'product.url', type: 'url', default: null, env: 'REHOME_PRODUCT_URL',
    doc: 'Base URL of the product\'s Rehome API (docs/product-kit.md). When set, Rehome writes each migrated user\'s IMS link and cutover there; otherwise the links stay in Rehome\'s store.' },
  { path: 'product.token', type: 'string', default: null, env: 'REHOME_PRODUCT_TOKEN', secret: true, doc: 'Bearer token of the product\'s Rehome API.' },
  { path: 'redirects.rulesFile', type: 'string', default: null, env: 'REHOME_REDIRECT_RULES',
    doc: 'URL rules file (docs/urls-and-links.md). When set, `rehome serve` answers old URLs with redirects to the new URL structure; `rehome redirects` serves them alone.' },
  { path: 'redirects.allowedHosts', type: 'list', default: null,
    doc: 'Hosts (or origins) redirects may point to; anything else is refused, so the service is never an open redirect.' },
];
