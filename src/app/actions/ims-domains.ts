import { normalizeDomain } from '../../ims/directory/directory-context.ts';
import { systemTxtResolver, verificationRecord, verifyDomainClaim, type DomainVerification, type TxtResolver, type VerificationRecord } from '../../ims/directory/domain-verification.ts';
import { rejectFreeMailDomain } from '../../ims/directory/free-mail-domains.ts';
import type { DomainClaimState, ImsDirectoryService } from '../../ims/directory/ims-directory.ts';
import { AppError } from '../app-error.ts';
import type { RehomeApp } from '../compose.ts';
import { embeddedIms } from './ims-embedded.ts';

/** One domain of an organization of the embedded IMS, as `rehome ims domain` and the console show it. */
export type OrgDomain = DomainClaimState & { verification?: VerificationRecord };

/**
 * The operator vouches for a domain: the org claims it at once, no DNS proof (an org API client's claim waits for
 * one). Refused for a public mail provider's domain whoever asks; audited as `ims:domain_claimed`.
 */
export async function addOrgDomain(app: RehomeApp, input: { orgId: string; domain: string; actor: string }): Promise<OrgDomain> {
  const directory = await embeddedDirectory(app);
  const domain = normalizeDomain(input.domain);
  rejectFreeMailDomain(domain);
  await directory.claimDomain(input.orgId, domain, input.actor);
  await app.store.appendAudit({ at: app.now().toISOString(), actor: input.actor, action: 'ims:domain_claimed', target: domain, details: { orgId: input.orgId, proof: 'operator' } });
  return requireDomain(await listOrgDomains(app, input), domain);
}

/** The organization's domains, claimed and pending; a pending one says which TXT record proves it. */
export async function listOrgDomains(app: RehomeApp, input: { orgId: string }): Promise<OrgDomain[]> {
  const directory = await embeddedDirectory(app);
  return (await directory.listDomainClaims(input.orgId)).map((c) => (c.status === 'pending' ? { ...c, verification: verificationRecord(c) } : c));
}

/**
 * Runs the DNS check of a pending claim (`rehome-domain-verification=<token>` at the domain or at
 * `_rehome-challenge.<domain>`); claims the domain when found, audited as `ims:domain_verified`.
 */
export async function verifyOrgDomain(app: RehomeApp, input: { orgId: string; domain: string; actor: string; resolveTxt?: TxtResolver }): Promise<DomainVerification> {
  const directory = await embeddedDirectory(app);
  const wasPending = (await directory.listDomainClaims(input.orgId)).some((c) => c.status === 'pending' && c.domain === normalizeDomain(input.domain));
  const result = await verifyDomainClaim({ directory, resolveTxt: input.resolveTxt ?? systemTxtResolver() }, input.orgId, input.domain);
  if (result.status === 'claimed' && wasPending) {
    await app.store.appendAudit({ at: app.now().toISOString(), actor: input.actor, action: 'ims:domain_verified', target: result.claim.domain, details: { orgId: input.orgId, proof: 'dns' } });
  }
  return result;
}

async function embeddedDirectory(app: RehomeApp): Promise<ImsDirectoryService> {
  return (await embeddedIms(app, 'claim domains')).directory;
}

function requireDomain(domains: OrgDomain[], domain: string): OrgDomain {
  const found = domains.find((d) => d.domain === domain);
  if (!found) throw new AppError('usage', `${domain} is not a domain of the organization`);
  return found;
}
