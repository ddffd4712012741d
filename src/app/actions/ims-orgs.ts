import { normalizeDomain } from '../../ims/directory/directory-context.ts';
import { rejectFreeMailDomain } from '../../ims/directory/free-mail-domains.ts';
import { ImsError, type ImsOrgRecord } from '../../ims/directory/ims-directory.ts';
import type { RehomeApp } from '../compose.ts';
import { embeddedIms } from './ims-embedded.ts';

/** An organization of the embedded IMS as `rehome ims org` prints it. */
export interface ImsOrgView {
  id: string;
  name: string;
  /** Claimed domains (pending claims are `rehome ims domain list`'s). */
  domains: string[];
}

/** An org's SSO federation as shown: never the client secret, only whether one is set. */
export interface ImsOrgSsoView {
  orgId: string;
  sso: { issuer: string; clientId: string; domains: string[]; clientSecretSet: boolean } | null;
}

/**
 * The operator creates an organization and vouches for its domains (no DNS proof: the operator's word, as with
 * `rehome ims domain add`; an org's own API client must prove each domain). Every domain is checked before anything
 * is written, so a refused domain leaves no organization behind. Audited as `ims:org_created`.
 */
export async function createImsOrg(app: RehomeApp, input: { name: string; domains?: readonly string[]; actor: string }): Promise<ImsOrgView> {
  const { directory } = await embeddedIms(app, 'create organizations');
  const name = input.name.trim();
  if (name === '') throw new ImsError('invalid_input', 'the organization name must not be empty');
  const domains = [...new Set((input.domains ?? []).map((d) => normalizeDomain(d.trim())))];
  for (const domain of domains) {
    rejectFreeMailDomain(domain);
    if (await directory.findOrgByDomain(domain)) throw new ImsError('domain_claimed', `${domain} is claimed by another organization`);
  }
  const org = await directory.createOrg({ name });
  try {
    for (const domain of domains) await directory.claimDomain(org.id, domain, input.actor);
  } catch (error) {
    // Another org took a domain between the check and the claim: undo, so the refusal leaves nothing half-made.
    await directory.deleteOrg(org.id);
    throw error;
  }
  await app.store.appendAudit({ at: app.now().toISOString(), actor: input.actor, action: 'ims:org_created', target: org.id, details: { name, domains, proof: 'operator' } });
  return { id: org.id, name, domains };
}

/**
 * Federates the org's people in `domains` to its upstream OpenID Connect provider (docs/ims.md, SSO federation).
 * Each domain must already be claimed by the org. The secret comes from the caller (the CLI reads it from the
 * environment, never a flag: flags end up in shell history and `ps`). Audited as `ims:sso_configured`, secret left out.
 */
export async function setImsOrgSso(app: RehomeApp, input: { orgId: string; issuer: string; clientId: string; clientSecret: string; domains: readonly string[]; actor: string }): Promise<ImsOrgSsoView> {
  const { directory } = await embeddedIms(app, 'configure SSO');
  if (input.clientId.trim() === '') throw new ImsError('invalid_input', 'the upstream client id must not be empty');
  if (input.domains.length === 0) throw new ImsError('invalid_input', 'name at least one domain whose people sign in upstream');
  await requireOrg(app, input.orgId);
  const org = await directory.setSsoFederation(input.orgId, { issuer: input.issuer.trim(), clientId: input.clientId.trim(), clientSecret: input.clientSecret, domains: [...input.domains] });
  const view = ssoView(org);
  await app.store.appendAudit({ at: app.now().toISOString(), actor: input.actor, action: 'ims:sso_configured', target: org.id, details: { issuer: view.sso!.issuer, clientId: view.sso!.clientId, domains: view.sso!.domains, clientSecretSet: view.sso!.clientSecretSet } });
  return view;
}

/** Turns the org's SSO federation off: its people sign in with IMS passwords again. Audited as `ims:sso_removed`. */
export async function clearImsOrgSso(app: RehomeApp, input: { orgId: string; actor: string }): Promise<ImsOrgSsoView> {
  const { directory } = await embeddedIms(app, 'configure SSO');
  const before = await requireOrg(app, input.orgId);
  const org = await directory.setSsoFederation(input.orgId, null);
  await app.store.appendAudit({ at: app.now().toISOString(), actor: input.actor, action: 'ims:sso_removed', target: org.id, details: { wasConfigured: before.sso !== null, ...(before.sso ? { issuer: before.sso.issuer } : {}) } });
  return ssoView(org);
}

/** The org, or `not_found` naming it. */
export async function requireOrg(app: RehomeApp, orgId: string): Promise<ImsOrgRecord> {
  const { directory } = await embeddedIms(app, 'manage organizations');
  const org = await directory.getOrg(orgId);
  if (!org) throw new ImsError('not_found', `no organization ${orgId} in the embedded IMS`);
  return org;
}

function ssoView(org: ImsOrgRecord): ImsOrgSsoView {
  return {
    orgId: org.id,
    sso: org.sso && { issuer: org.sso.issuer, clientId: org.sso.clientId, domains: [...org.sso.domains], clientSecretSet: org.sso.clientSecret !== '' },
  };
}
