/**
 * Organization API clients: the OAuth 2.0 confidential clients (RFC 6749 §2.1) that provisioning tools use for
 * SCIM and the Admin API. Each is bound to exactly one organization; every token it obtains acts only there.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createStoreImsDirectory } from '../directory/store-ims-directory.ts';
import { AdminError } from './admin-error.ts';
import { adminDb, type AdminStoreHandle, type AdminTables } from './admin-tables.ts';

/** `scim`: /scim/v2; `admin`: /ims/admin/v1 (JSON and CSV). */
export type OrgClientScope = 'scim' | 'admin';
export const ORG_CLIENT_SCOPES: readonly OrgClientScope[] = ['scim', 'admin'];

export interface OrgClient {
  clientId: string;
  orgId: string;
  name: string;
  scopes: OrgClientScope[];
  createdAt: string;
  revokedAt: string | null;
}

export interface NewOrgClient {
  orgId: string;
  /** Shown to admins (`Okta provisioning`, `HR sync`). */
  name: string;
  /** Default: every scope. */
  scopes?: OrgClientScope[];
}

/**
 * Registers a client for `orgId` and returns its credentials. The secret is returned once and only its digest is
 * kept: a lost secret means a new client. `not_found` when the org does not exist.
 */
export async function createOrgClient(
  store: AdminStoreHandle,
  input: NewOrgClient,
  options: { now?: () => Date } = {},
): Promise<{ clientId: string; clientSecret: string }> {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '') throw new AdminError('invalid_request', 'name must be a non-empty string');
  const scopes = input.scopes ?? [...ORG_CLIENT_SCOPES];
  if (scopes.length === 0 || scopes.some((s) => !ORG_CLIENT_SCOPES.includes(s))) {
    throw new AdminError('invalid_request', `scopes must be a non-empty subset of ${ORG_CLIENT_SCOPES.join(', ')}`);
  }
  if ((await createStoreImsDirectory(store).getOrg(input.orgId)) === undefined) {
    throw new AdminError('not_found', `organization ${input.orgId} not found`);
  }
  const clientId = `rhc_${randomBytes(16).toString('base64url')}`;
  const clientSecret = `rhs_${randomBytes(32).toString('base64url')}`;
  await adminDb(store).insertInto('admin_org_clients').values({
    client_id: clientId,
    org_id: input.orgId,
    name,
    secret_hash: digestSecret(clientSecret),
    scopes: [...new Set(scopes)].join(' '),
    created_at: (options.now ?? (() => new Date()))().toISOString(),
    revoked_at: null,
  }).execute();
  return { clientId, clientSecret };
}

/** The client, revoked or not; undefined when unknown. */
export async function getOrgClient(store: AdminStoreHandle, clientId: string): Promise<OrgClient | undefined> {
  const row = await adminDb(store).selectFrom('admin_org_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  return row && toOrgClient(row);
}

/** The active client whose secret is `secret`; undefined for unknown, revoked or wrong (indistinguishably). */
export async function authenticateOrgClient(store: AdminStoreHandle, clientId: string, secret: string): Promise<OrgClient | undefined> {
  const row = await adminDb(store).selectFrom('admin_org_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  // Compare even when the client is unknown, so response time does not reveal which client ids exist.
  const expected = Buffer.from(row?.secret_hash ?? digestSecret('unknown client'), 'hex');
  const matches = timingSafeEqual(expected, Buffer.from(digestSecret(secret), 'hex'));
  if (row === undefined || !matches || row.revoked_at !== null) return undefined;
  return toOrgClient(row);
}

/** The org's clients, revoked ones included (oldest first); every org's without `orgId` (the operator's view). */
export async function listOrgClients(store: AdminStoreHandle, orgId?: string): Promise<OrgClient[]> {
  let query = adminDb(store).selectFrom('admin_org_clients').selectAll();
  if (orgId !== undefined) query = query.where('org_id', '=', orgId);
  const rows = await query.orderBy('created_at').orderBy('client_id').execute();
  return rows.map(toOrgClient);
}

/** Takes effect at once: bearer tokens are checked against the client on every request. Idempotent. */
export async function revokeOrgClient(store: AdminStoreHandle, clientId: string, options: { now?: () => Date } = {}): Promise<void> {
  await adminDb(store).updateTable('admin_org_clients')
    .set({ revoked_at: (options.now ?? (() => new Date()))().toISOString() })
    .where('client_id', '=', clientId).where('revoked_at', 'is', null).execute();
}

function digestSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toOrgClient(row: AdminTables['admin_org_clients']): OrgClient {
  return {
    clientId: row.client_id,
    orgId: row.org_id,
    name: row.name,
    scopes: row.scopes.split(' ').filter((s): s is OrgClientScope => (ORG_CLIENT_SCOPES as string[]).includes(s)),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
