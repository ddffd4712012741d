/**
 * Engage's tables. Names follow the product's vocabulary (docs/ims.md has the IMS side): a subscription is a tenant
 * reached at `/app-<instance>/`; users hold `workspace/partition:role` access entries; stored texts that carry
 * links are report subscriptions, bookmarks and email templates.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS subscriptions (
  id TEXT PRIMARY KEY,               -- e.g. 123-ABC-456
  name TEXT NOT NULL,
  instance TEXT NOT NULL UNIQUE,     -- the old URL: /app-<instance>/
  ims_tenant TEXT NOT NULL,          -- the new URL: /#/@<tenant>/so:<id>/engage/
  time_zone TEXT NOT NULL,
  moved_at TEXT                      -- set at the subscription's cutover: user management lives in the IMS
);
CREATE TABLE IF NOT EXISTS roles (
  id INTEGER PRIMARY KEY, subscription_id TEXT NOT NULL REFERENCES subscriptions(id), name TEXT NOT NULL,
  UNIQUE (subscription_id, name)
);
CREATE TABLE IF NOT EXISTS workspaces (
  id INTEGER PRIMARY KEY, subscription_id TEXT NOT NULL REFERENCES subscriptions(id), name TEXT NOT NULL,
  UNIQUE (subscription_id, name)
);
CREATE TABLE IF NOT EXISTS partitions (
  id INTEGER PRIMARY KEY, subscription_id TEXT NOT NULL REFERENCES subscriptions(id), name TEXT NOT NULL,
  UNIQUE (subscription_id, name)
);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  login TEXT NOT NULL,
  email TEXT NOT NULL,
  email_verified INTEGER NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'invited', 'deactivated')),
  api_only INTEGER NOT NULL,
  sso INTEGER NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0,
  last_login TEXT,
  expires_at TEXT,
  locked INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT,
  login_mode TEXT NOT NULL CHECK (login_mode IN ('legacy', 'ims', 'api_only')),
  attributes TEXT NOT NULL DEFAULT '{}',
  UNIQUE (subscription_id, login)
);
CREATE TABLE IF NOT EXISTS user_access (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  partition_id INTEGER NOT NULL REFERENCES partitions(id),
  role_id INTEGER NOT NULL REFERENCES roles(id),
  PRIMARY KEY (user_id, workspace_id, partition_id, role_id)
);
-- The link table Rehome writes during the user phase: product user -> IMS issuer + subject.
CREATE TABLE IF NOT EXISTS identity_links (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  subscription_id TEXT NOT NULL,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  linked_at TEXT NOT NULL,
  first_sign_in_at TEXT,
  UNIQUE (subscription_id, issuer, subject)
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('password', 'ims')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS account_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'email_change')),
  new_email TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
-- Mail Engage would send (reset and email-change links, report subscriptions); a demo has no SMTP.
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY,
  to_address TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_credentials (
  client_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reports (
  id TEXT PRIMARY KEY,               -- e.g. RP1234A1, the fragment of a deep link
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS report_subscriptions (
  id INTEGER PRIMARY KEY,
  report_id TEXT NOT NULL REFERENCES reports(id),
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  schedule TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bookmarks (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  url TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS email_templates (
  id INTEGER PRIMARY KEY,
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  name TEXT NOT NULL,
  subject TEXT NOT NULL,
  html TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
  id TEXT PRIMARY KEY,
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
  subject TEXT NOT NULL,
  submitter_user_id TEXT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ticket_messages (
  id INTEGER PRIMARY KEY,
  ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  author_user_id TEXT,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;
