import type { Kysely } from 'kysely';
import type { Migration } from '../store/migrations/migration.ts';
import type { MigrationTables } from '../engine/migration-schema.ts';

/**
 * Rehome's record of the communication plan (DESIGN.md "Rehome owns ... communications sent"): each mail sent (by
 * its idempotency key), each verification link issued (the SHA-256 of the token, never the token), each click on
 * one, and each product user a link verified. No addresses: those stay in mig_users and the mail log.
 */
export type CommsTables = {
  comms_sends: { key: string; subscription_id: string; user_id: string; template: string; status: string; sent_at: string };
  comms_links: { token_hash: string; send_key: string; subscription_id: string; user_id: string; email_hash: string; issued_at: string; expires_at: string; used_at: string | null };
  comms_clicks: { id: number; token_hash: string; subscription_id: string; user_id: string; at: string; outcome: string };
  comms_verifications: { subscription_id: string; user_id: string; verified_at: string; token_hash: string };
};

export type CommsDb = Kysely<CommsTables & Pick<MigrationTables, 'mig_users' | 'mig_subscriptions'>>;

export function commsDb(kysely: Kysely<any>): CommsDb {
  return kysely as CommsDb;
}

const common = (serial: string) => `
create table comms_sends (
  key text primary key,
  subscription_id text not null,
  user_id text not null,
  template text not null,
  status text not null,
  sent_at text not null
);
create index comms_sends_by_user on comms_sends (subscription_id, user_id, template);
create table comms_links (
  token_hash text primary key,
  send_key text not null,
  subscription_id text not null,
  user_id text not null,
  email_hash text not null,
  issued_at text not null,
  expires_at text not null,
  used_at text
);
create index comms_links_by_user on comms_links (subscription_id, user_id);
create table comms_clicks (
  id ${serial},
  token_hash text not null,
  subscription_id text not null,
  user_id text not null,
  at text not null,
  outcome text not null
);
create index comms_clicks_by_user on comms_clicks (subscription_id, user_id);
create table comms_verifications (
  subscription_id text not null,
  user_id text not null,
  verified_at text not null,
  token_hash text not null,
  primary key (subscription_id, user_id)
);
`;

export const commsMigration: Migration = {
  name: '0006_comms',
  sqlite: common('integer primary key autoincrement'),
  postgres: common('bigserial primary key'),
};
