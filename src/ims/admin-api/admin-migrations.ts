/**
 * Forward-only DDL of the Admin API: organization API clients (client-credentials) and the keys that sign their
 * access tokens. Never edit once applied; append a new migration instead.
 *
 * Secrets are stored as SHA-256 digests: they are 256-bit random values, so a slow password hash would add cost
 * without adding safety (nothing to brute-force). Timestamps are ISO-8601 text, as in `0002_ims`.
 */
const ddl = `
CREATE TABLE admin_org_clients (
  client_id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX admin_org_clients_org ON admin_org_clients (org_id);
CREATE TABLE admin_signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  private_jwk TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

export const adminApiMigration = {
  name: '0003_admin_api',
  sqlite: ddl,
  postgres: ddl,
} as const;

/**
 * A long-lived SCIM token per client (0019): Okta's header token and Entra ID's "Secret Token" are fixed strings the
 * IdP never renews, so a 15-minute access token cannot keep their connection. Stored as a digest, with its expiry;
 * a new token replaces the old one, revoking the client ends both.
 */
const provisioningTokenDdl = `
ALTER TABLE admin_org_clients ADD COLUMN token_hash TEXT;
ALTER TABLE admin_org_clients ADD COLUMN token_expires_at TEXT;
CREATE UNIQUE INDEX admin_org_clients_token ON admin_org_clients (token_hash);
`;

export const provisioningTokenMigration = {
  name: '0019_admin_provisioning_tokens',
  sqlite: provisioningTokenDdl,
  postgres: provisioningTokenDdl,
} as const;
