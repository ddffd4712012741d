/**
 * Forward-only DDL of the password strategies: which strategy each migrated subscription runs, so the IMS sign-in
 * knows when to ask the product (lazy migration). Written by the engine's phase 1 (and again, idempotently, when an
 * account is provisioned). Never edit once applied; append a new migration instead.
 */
const ddl = `
CREATE TABLE ims_password_strategies (
  subscription_id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  strategy TEXT NOT NULL,
  set_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX ims_password_strategies_org ON ims_password_strategies (org_id, strategy);
`;

export const passwordsMigration = {
  name: '0009_passwords',
  sqlite: ddl,
  postgres: ddl,
} as const;
