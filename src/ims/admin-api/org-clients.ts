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
  /** When the client's long-lived SCIM token expires; null without one. */
  tokenExpiresAt: string | null;
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
    token_hash: null,
    token_expires_at: null,
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

/** A long-lived token's lifetime: a year by default, two at most (a credential pasted into an IdP is forgotten). */
export const PROVISIONING_TOKEN_DAYS = { default: 365, max: 730 } as const;

/**
 * Issues the client's long-lived SCIM token (`rht_…`), replacing the one it had: the bearer credential for IdPs that
 * paste a fixed token (Okta's HTTP header, Entra ID's Secret Token) instead of running the client credentials
 * grant. It acts with the `scim` scope only. Returned once; only its digest is kept.
 */
export async function issueProvisioningToken(store: AdminStoreHandle, clientId: string, options: { days?: number; now?: () => Date } = {}): Promise<{ token: string; expiresAt: string }> {
  const days = options.days ?? PROVISIONING_TOKEN_DAYS.default;
  if (!Number.isInteger(days) || days < 1 || days > PROVISIONING_TOKEN_DAYS.max) {
    throw new AdminError('invalid_request', `a long-lived token lasts 1 to ${PROVISIONING_TOKEN_DAYS.max} days (got ${days})`);
  }
  const client = await getOrgClient(store, clientId);
  if (client === undefined) throw new AdminError('not_found', `no API client ${clientId}`);
  if (client.revokedAt !== null) throw new AdminError('invalid_request', `API client ${clientId} is revoked: create another`);
  if (!client.scopes.includes('scim')) throw new AdminError('invalid_request', `API client ${clientId} has no scim scope: a long-lived token is for SCIM provisioning only`);
  const token = `rht_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date((options.now ?? (() => new Date()))().getTime() + days * 86_400_000).toISOString();
  await adminDb(store).updateTable('admin_org_clients').set({ token_hash: digestSecret(token), token_expires_at: expiresAt }).where('client_id', '=', clientId).execute();
  return { token, expiresAt };
}

/** The active client whose current, unexpired long-lived token is `token`; undefined otherwise. */
export async function authenticateProvisioningToken(store: AdminStoreHandle, token: string, now: Date): Promise<OrgClient | undefined> {
  const row = await adminDb(store).selectFrom('admin_org_clients').selectAll().where('token_hash', '=', digestSecret(token)).executeTakeFirst();
  if (row === undefined || row.revoked_at !== null || row.token_expires_at === null || row.token_expires_at <= now.toISOString()) return undefined;
  return toOrgClient(row);
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
    tokenExpiresAt: row.token_expires_at ?? null,
  };
}
