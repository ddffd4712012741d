import { AdminError } from '../../ims/admin-api/admin-error.ts';
import { createOrgClient, getOrgClient, issueProvisioningToken, listOrgClients, ORG_CLIENT_SCOPES, PROVISIONING_TOKEN_DAYS, revokeOrgClient, type OrgClient, type OrgClientScope } from '../../ims/admin-api/org-clients.ts';
import type { RehomeApp } from '../compose.ts';
import { embeddedIms, provisioningUrls } from './ims-embedded.ts';
import { requireOrg } from './ims-orgs.ts';

/** A new org API client: everything a provisioning tool (Okta, Entra ID, a script) is configured with. */
export interface NewImsClient {
  clientId: string;
  /** Shown once: only its digest is stored. */
  clientSecret: string;
  orgId: string;
  /** Space-separated, as OAuth writes scopes (`scim`, `scim admin`). */
  scope: string;
  tokenEndpoint: string;
  scimUrl: string;
  /** With `tokenDays`: the long-lived SCIM token for IdPs that paste a fixed token (Okta, Entra ID); shown once. */
  bearerToken?: string;
  bearerTokenExpiresAt?: string;
}

/** A client's new long-lived SCIM token, shown once. */
export interface ImsClientToken {
  clientId: string;
  orgId: string;
  bearerToken: string;
  bearerTokenExpiresAt: string;
  scimUrl: string;
}

export type ImsClientView = OrgClient & { scope: string };

/** Reads `scim`, `scim admin` or `scim,admin`; only least privilege by default: a SCIM client needs `scim` alone. */
export function parseClientScope(text: string | undefined): OrgClientScope[] {
  const words = [...new Set((text ?? 'scim').split(/[\s,]+/).filter(Boolean))];
  const unknown = words.filter((w) => !(ORG_CLIENT_SCOPES as readonly string[]).includes(w));
  if (words.length === 0 || unknown.length > 0) {
    throw new AdminError('invalid_request', `scope must be ${ORG_CLIENT_SCOPES.join(', ')} or both (got ${unknown.length > 0 ? unknown.join(', ') : 'nothing'})`);
  }
  return words as OrgClientScope[];
}

/**
 * Registers an API client of one org (client credentials, RFC 6749 §4.4): the secret is returned once and stored
 * only as a digest. The CLI (`rehome ims client create`) and the console's API clients page both call this.
 * Audited as `ims:client_created` (id, org, scope; never the secret).
 */
export async function createImsClient(app: RehomeApp, input: { orgId: string; name: string; scope?: string; tokenDays?: number; actor: string }): Promise<NewImsClient> {
  await embeddedIms(app, 'register API clients');
  const scopes = parseClientScope(input.scope);
  if (input.tokenDays !== undefined) checkTokenRequest(scopes, input.tokenDays);
  await requireOrg(app, input.orgId);
  const { clientId, clientSecret } = await createOrgClient(app.store, { orgId: input.orgId, name: input.name, scopes }, { now: app.now });
  const scope = scopes.join(' ');
  await app.store.appendAudit({ at: app.now().toISOString(), actor: input.actor, action: 'ims:client_created', target: clientId, details: { orgId: input.orgId, name: input.name.trim(), scope } });
  const created: NewImsClient = { clientId, clientSecret, orgId: input.orgId, scope, ...provisioningUrls(app) };
  if (input.tokenDays === undefined) return created;
  const token = await issueImsClientToken(app, { clientId, orgId: input.orgId, days: input.tokenDays, actor: input.actor });
  return { ...created, bearerToken: token.bearerToken, bearerTokenExpiresAt: token.bearerTokenExpiresAt };
}

/**
 * Issues a client's long-lived SCIM token (replacing its previous one, which stops working at once): what Okta's
 * HTTP-header authentication and Entra ID's Secret Token need, since they never run the client credentials grant.
 * `rehome ims client token` and the console's API clients page call this. Audited as `ims:client_token_issued`
 * (client, expiry; never the token). With `orgId` (the console) another org's client is not found.
 */
export async function issueImsClientToken(app: RehomeApp, input: { clientId: string; orgId?: string; days?: number; actor: string }): Promise<ImsClientToken> {
  await embeddedIms(app, 'issue API client tokens');
  const client = await getOrgClient(app.store, input.clientId);
  if (!client || (input.orgId !== undefined && client.orgId !== input.orgId)) throw new AdminError('not_found', `no API client ${input.clientId}`);
  const { token, expiresAt } = await issueProvisioningToken(app.store, input.clientId, { now: app.now, ...(input.days !== undefined ? { days: input.days } : {}) });
  await app.store.appendAudit({ at: app.now().toISOString(), actor: input.actor, action: 'ims:client_token_issued', target: input.clientId, details: { orgId: client.orgId, name: client.name, expiresAt } });
  return { clientId: input.clientId, orgId: client.orgId, bearerToken: token, bearerTokenExpiresAt: expiresAt, scimUrl: provisioningUrls(app).scimUrl };
}

/** Refused before anything is created: a long-lived token is for SCIM and lasts 1 to 730 days. */
function checkTokenRequest(scopes: OrgClientScope[], days: number): void {
  if (!scopes.includes('scim')) throw new AdminError('invalid_request', 'a long-lived token is for SCIM provisioning: give the client the scim scope');
  if (!Number.isInteger(days) || days < 1 || days > PROVISIONING_TOKEN_DAYS.max) throw new AdminError('invalid_request', `a long-lived token lasts 1 to ${PROVISIONING_TOKEN_DAYS.max} days (got ${days})`);
}

/** The org's clients (every org's without `orgId`), revoked ones included; never a secret. */
export async function listImsClients(app: RehomeApp, input: { orgId?: string }): Promise<ImsClientView[]> {
  await embeddedIms(app, 'list API clients');
  if (input.orgId !== undefined) await requireOrg(app, input.orgId);
  return (await listOrgClients(app.store, input.orgId)).map(view);
}

/**
 * Revokes a client and, at once, every token it holds (its long-lived SCIM token too) (tokens are checked against the client on each request).
 * With `orgId` (the console) only that org's clients are found: another org's id is as unknown as a made-up one.
 * Repeating it changes nothing and writes no second audit row (`ims:client_revoked`).
 */
export async function revokeImsClient(app: RehomeApp, input: { clientId: string; orgId?: string; actor: string }): Promise<ImsClientView> {
  await embeddedIms(app, 'revoke API clients');
  const client = await getOrgClient(app.store, input.clientId);
  if (!client || (input.orgId !== undefined && client.orgId !== input.orgId)) throw new AdminError('not_found', `no API client ${input.clientId}`);
  if (client.revokedAt !== null) return view(client);
  await revokeOrgClient(app.store, input.clientId, { now: app.now });
  await app.store.appendAudit({ at: app.now().toISOString(), actor: input.actor, action: 'ims:client_revoked', target: input.clientId, details: { orgId: client.orgId, name: client.name } });
  return view((await getOrgClient(app.store, input.clientId))!);
}

function view(client: OrgClient): ImsClientView {
  return { ...client, scope: client.scopes.join(' ') };
}
