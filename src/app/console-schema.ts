import type { Migration } from '../store/migrations/migration.ts';

/**
 * Tables of the migration console: sessions, pending sign-ins and one-time bootstrap links. Session ids, login ids
 * and bootstrap tokens are 256-bit random values stored only as SHA-256 digests (nothing to brute-force, and a
 * database dump hands out no live session). Times are ISO-8601 text on both dialects, so text order is time order.
 *
 * The indexes on `mig_users` keep the User Migration tab fast at 100,000 users: each sort order of the table and
 * the sign-in check ("is this IMS subject an admin of a subscription?") reads an index, never the whole table.
 */
export type ConsoleTables = {
  console_sessions: {
    id_hash: string;
    kind: string;
    subject: string;
    display_name: string;
    subscription_id: string | null;
    csrf: string;
    flash: string | null;
    created_at: string;
    expires_at: string;
  };
  console_logins: { id_hash: string; state: string; nonce: string; verifier: string; return_to: string; expires_at: string };
  console_bootstrap_tokens: { token_hash: string; subscription_id: string; created_at: string; expires_at: string; used_at: string | null };
};

const ddl = `
create table console_sessions (
  id_hash text primary key,
  kind text not null,
  subject text not null,
  display_name text not null,
  subscription_id text,
  csrf text not null,
  flash text,
  created_at text not null,
  expires_at text not null
);
create index console_sessions_by_expiry on console_sessions (expires_at);
create table console_logins (
  id_hash text primary key,
  state text not null,
  nonce text not null,
  verifier text not null,
  return_to text not null,
  expires_at text not null
);
create table console_bootstrap_tokens (
  token_hash text primary key,
  subscription_id text not null,
  created_at text not null,
  expires_at text not null,
  used_at text
);
create index mig_users_by_activity on mig_users (subscription_id, updated_at, user_id);
create index mig_users_by_subscription_email on mig_users (subscription_id, normalized_email, user_id);
create index mig_users_by_state_user on mig_users (subscription_id, state, user_id);
create index mig_users_by_subject on mig_users (ims_subject);
`;

export const consoleMigration: Migration = { name: '0007_console', sqlite: ddl, postgres: ddl };
