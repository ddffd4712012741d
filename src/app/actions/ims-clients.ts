import { AdminError } from '../../ims/admin-api/admin-error.ts';
import { createOrgClient, getOrgClient, listOrgClients, ORG_CLIENT_SCOPES, revokeOrgClient, type OrgClient, type OrgClientScope } from '../../ims/admin-api/org-clients.ts';
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
export async function createImsClient(app: RehomeApp, input: { orgId: string; name: string; scope?: string; actor: string }): Promise<NewImsClient> {
  await embeddedIms(app, 'register API clients');
  const scopes = parseClientScope(input.scope);
  await requireOrg(app, input.orgId);
  const { clientId, clientSecret } = await createOrgClient(app.store, { orgId: input.orgId, name: input.name, scopes }, { now: app.now });
  const scope = scopes.join(' ');
  await app.store.appendAudit({ at: app.now().toISOString(), actor: input.actor, action: 'ims:client_created', target: clientId, details: { orgId: input.orgId, name: input.name.trim(), scope } });
  return { clientId, clientSecret, orgId: input.orgId, scope, ...provisioningUrls(app) };
}

/** The org's clients (every org's without `orgId`), revoked ones included; never a secret. */
export async function listImsClients(app: RehomeApp, input: { orgId?: string }): Promise<ImsClientView[]> {
  await embeddedIms(app, 'list API clients');
  if (input.orgId !== undefined) await requireOrg(app, input.orgId);
  return (await listOrgClients(app.store, input.orgId)).map(view);
}

/**
 * Revokes a client and, at once, every token it holds (tokens are checked against the client on each request).
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
