import type { Kysely, Transaction } from 'kysely';
import type { MailTables } from '../mail/mail-tables.ts';

/** Row shapes of the tables created by `ims-migrations.ts` (Kysely table types). */
export type ImsTables = {
  ims_orgs: { id: string; name: string; sso_json: string | null; version: number; created_at: string; updated_at: string };
  ims_accounts: {
    id: string;
    email: string;
    email_norm: string;
    email_verified: number;
    type: string;
    owner_org_id: string | null;
    first_name: string;
    last_name: string;
    user_name: string;
    user_name_norm: string;
    status: string;
    password_hash: string | null;
    version: number;
    created_at: string;
    updated_at: string;
  };
  ims_federated_identities: { issuer: string; subject: string; account_id: string; created_at: string };
  ims_org_domains: { domain: string; org_id: string; claimed_by: string; claimed_at: string };
  ims_org_members: { org_id: string; account_id: string; external_id: string | null; joined_at: string; suspended_at: string | null };
  ims_org_admins: { org_id: string; account_id: string };
  ims_profiles: {
    id: string;
    org_id: string;
    name: string;
    subscription_id: string;
    external_id: string | null;
    version: number;
    created_at: string;
    updated_at: string;
  };
  ims_profile_members: { profile_id: string; org_id: string; account_id: string };
  ims_oidc: {
    model: string;
    id: string;
    payload: string;
    grant_id: string | null;
    user_code: string | null;
    uid: string | null;
    account_id: string | null;
    expires_at: number | string | null;
    consumed_at: number | string | null;
  };
  ims_signing_keys: { kid: string; private_jwk: string; created_at: string; retired_at: string | null };
  ims_tokens: {
    id: string;
    purpose: string;
    account_id: string;
    email: string;
    email_norm: string;
    expires_at: number | string;
    used_at: string | null;
    created_at: string;
  };
  /** Fixed-window counters of every IMS throttle (`accounts/throttle-counters.ts`); `key` is an HMAC, never an address. */
  ims_throttle: { key: string; failures: number; window_start: number | string; blocked_until: number | string | null; expires_at: number | string };
} & MailTables;

export type ImsDb = Kysely<ImsTables>;
export type ImsTrx = Transaction<ImsTables>;

/** The part of Rehome's Store the IMS needs (narrow port: only the query builder). */
export interface ImsStoreHandle {
  readonly kysely: Kysely<any>;
  readonly dialect: 'sqlite' | 'postgres';
}

export function imsDb(store: ImsStoreHandle): ImsDb {
  return store.kysely.withTables<ImsTables>() as unknown as ImsDb;
}

/** pg returns BIGINT as a string; SQLite as a number. */
export function toNumber(value: number | string | bigint | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Unique-constraint violation in either dialect (SQLite message or PostgreSQL SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; errcode?: unknown };
  return e?.code === '23505' || (typeof e?.message === 'string' && e.message.includes('UNIQUE constraint failed'));
}
