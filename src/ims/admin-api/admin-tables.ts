import type { Kysely } from 'kysely';

/** Row shapes of the tables created by `admin-migrations.ts`. */
export type AdminTables = {
  admin_org_clients: {
    client_id: string;
    org_id: string;
    name: string;
    secret_hash: string;
    /** Space-separated, as in an OAuth `scope` parameter. */
    scopes: string;
    created_at: string;
    revoked_at: string | null;
    /** Digest of the client's long-lived SCIM token (0019), when it has one. */
    token_hash: string | null;
    token_expires_at: string | null;
  };
  admin_signing_keys: { kid: string; alg: string; private_jwk: string; public_jwk: string; created_at: string };
};

export type AdminDb = Kysely<AdminTables>;

/** The part of Rehome's Store the Admin API needs: the query builder on the same database. */
export interface AdminStoreHandle {
  readonly kysely: Kysely<any>;
  readonly dialect: 'sqlite' | 'postgres';
}

export function adminDb(store: AdminStoreHandle): AdminDb {
  return store.kysely.withTables<AdminTables>() as unknown as AdminDb;
}
