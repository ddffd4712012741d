/**
 * Forward-only DDL of the embedded IMS (directory, OIDC provider state, signing keys, one-time tokens, login
 * throttling, mail outbox). Never edit once applied; add `0003_...` instead.
 *
 * Timestamps are ISO-8601 text (sorts correctly, same in both dialects); expiries used for cleanup are epoch
 * seconds; booleans are 0/1 integers so that both dialects return the same JavaScript values.
 */

const common = (bigint: string): string => `
CREATE TABLE ims_orgs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  sso_json TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE ims_accounts (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  email_norm TEXT NOT NULL,
  email_verified INTEGER NOT NULL DEFAULT 0,
  type TEXT NOT NULL,
  owner_org_id TEXT REFERENCES ims_orgs(id) ON DELETE SET NULL,
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  user_name TEXT NOT NULL,
  user_name_norm TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active',
  password_hash TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX ims_accounts_email ON ims_accounts (email_norm);
CREATE UNIQUE INDEX ims_accounts_verified_email ON ims_accounts (email_norm, type) WHERE email_verified = 1;
CREATE TABLE ims_federated_identities (
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  account_id TEXT NOT NULL REFERENCES ims_accounts(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (issuer, subject)
);
CREATE TABLE ims_org_domains (
  domain TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES ims_orgs(id) ON DELETE CASCADE,
  claimed_by TEXT NOT NULL,
  claimed_at TEXT NOT NULL
);
CREATE TABLE ims_org_members (
  org_id TEXT NOT NULL REFERENCES ims_orgs(id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES ims_accounts(id) ON DELETE CASCADE,
  external_id TEXT,
  joined_at TEXT NOT NULL,
  PRIMARY KEY (org_id, account_id)
);
CREATE UNIQUE INDEX ims_org_members_external_id ON ims_org_members (org_id, external_id);
CREATE INDEX ims_org_members_account ON ims_org_members (account_id);
CREATE TABLE ims_org_admins (
  org_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  PRIMARY KEY (org_id, account_id),
  FOREIGN KEY (org_id, account_id) REFERENCES ims_org_members(org_id, account_id) ON DELETE CASCADE
);
CREATE TABLE ims_profiles (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES ims_orgs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX ims_profiles_org ON ims_profiles (org_id);
CREATE TABLE ims_profile_members (
  profile_id TEXT NOT NULL REFERENCES ims_profiles(id) ON DELETE CASCADE,
  org_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  PRIMARY KEY (profile_id, account_id),
  FOREIGN KEY (org_id, account_id) REFERENCES ims_org_members(org_id, account_id) ON DELETE CASCADE
);
CREATE INDEX ims_profile_members_account ON ims_profile_members (account_id);
CREATE TABLE ims_oidc (
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  payload TEXT NOT NULL,
  grant_id TEXT,
  user_code TEXT,
  uid TEXT,
  account_id TEXT,
  expires_at ${bigint},
  consumed_at ${bigint},
  PRIMARY KEY (model, id)
);
CREATE INDEX ims_oidc_grant ON ims_oidc (grant_id);
CREATE INDEX ims_oidc_uid ON ims_oidc (model, uid);
CREATE INDEX ims_oidc_user_code ON ims_oidc (model, user_code);
CREATE INDEX ims_oidc_account ON ims_oidc (account_id);
CREATE INDEX ims_oidc_expires ON ims_oidc (expires_at);
CREATE TABLE ims_signing_keys (
  kid TEXT PRIMARY KEY,
  private_jwk TEXT NOT NULL,
  created_at TEXT NOT NULL,
  retired_at TEXT
);
CREATE TABLE ims_tokens (
  id TEXT PRIMARY KEY,
  purpose TEXT NOT NULL,
  account_id TEXT NOT NULL,
  email TEXT NOT NULL,
  email_norm TEXT NOT NULL,
  expires_at ${bigint} NOT NULL,
  used_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX ims_tokens_email ON ims_tokens (email_norm);
CREATE INDEX ims_tokens_account ON ims_tokens (account_id);
CREATE TABLE ims_throttle (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start ${bigint} NOT NULL,
  blocked_until ${bigint}
);
CREATE TABLE mail_messages (
  key TEXT PRIMARY KEY,
  to_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT,
  transport TEXT NOT NULL,
  status TEXT NOT NULL,
  error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX mail_messages_created ON mail_messages (created_at);
`;

export const imsMigration = {
  name: '0002_ims',
  sqlite: common('INTEGER'),
  postgres: common('BIGINT'),
} as const;

/**
 * Domain claims that wait for DNS proof (an org API client asked; nobody vouched). Apart from `ims_org_domains` on
 * purpose: a pending claim decides nothing (account types, SSO), and several orgs may ask for one domain, so asking
 * cannot block the real owner. The token is published in DNS, so it is stored as it is.
 */
const pendingDomainsDdl = `
CREATE TABLE ims_pending_domains (
  org_id TEXT NOT NULL REFERENCES ims_orgs(id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  token TEXT NOT NULL,
  claimed_by TEXT NOT NULL,
  claimed_at TEXT NOT NULL,
  PRIMARY KEY (org_id, domain)
);
CREATE INDEX ims_pending_domains_domain ON ims_pending_domains (domain);
`;

export const imsPendingDomainsMigration = {
  name: '0011_ims_pending_domains',
  sqlite: pendingDomainsDdl,
  postgres: pendingDomainsDdl,
} as const;

/**
 * Throttle rows say when they stop mattering, so expired ones can be pruned (sign-ups, resets and resends are now
 * counted too, a row per address and client). Keys become HMACs from here on: the old plain-text rows (failed
 * sign-ins of the last 15 minutes at most) would never match again and are dropped.
 */
const throttleExpiryDdl = (bigint: string): string => `
DELETE FROM ims_throttle;
ALTER TABLE ims_throttle ADD COLUMN expires_at ${bigint} NOT NULL DEFAULT 0;
CREATE INDEX ims_throttle_expires ON ims_throttle (expires_at);
`;

export const imsThrottleExpiryMigration = {
  name: '0014_ims_throttle_expiry',
  sqlite: throttleExpiryDdl('INTEGER'),
  postgres: throttleExpiryDdl('BIGINT'),
} as const;

/**
 * What SCIM clients need stored (RFC 7643/7644): a Group's `externalId` (the client's id for it), and a membership
 * an org has deactivated (`active: false` on a personal account: the org's access ends, the person's account stays).
 * Profiles created from a core-only Group have no subscription yet (`''`), which the column already allows.
 */
const scimFidelityDdl = `
ALTER TABLE ims_profiles ADD COLUMN external_id TEXT;
ALTER TABLE ims_org_members ADD COLUMN suspended_at TEXT;
`;

export const imsScimFidelityMigration = {
  name: '0018_ims_scim_fidelity',
  sqlite: scimFidelityDdl,
  postgres: scimFidelityDdl,
} as const;
