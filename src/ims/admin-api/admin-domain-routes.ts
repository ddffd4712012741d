/**
 * Domain claims through the Admin API. An org API client's claim proves nothing, so it starts `pending` with a
 * verification token and decides nothing (account types, SSO) until the DNS record is found:
 *
 *   GET    /orgs/{orgId}/domains                    claimed and pending, with what to publish for a pending one
 *   POST   /orgs/{orgId}/domains {domain}           202 pending (200 when already claimed)
 *   POST   /orgs/{orgId}/domains/{domain}/verify    200 claimed, or 409 domain_unverified (publish, then again)
 *   DELETE /orgs/{orgId}/domains/{domain}           204: release the claim or withdraw the pending one
 */
import type { ServerResponse } from 'node:http';
import { normalizeDomain } from '../directory/directory-context.ts';
import { describePendingClaim, verificationRecord, verifyDomainClaim, type TxtResolver } from '../directory/domain-verification.ts';
import { ImsError, type DomainClaimState, type ImsDirectoryService } from '../directory/ims-directory.ts';
import { AdminError } from './admin-error.ts';
import { sendJson } from './admin-http.ts';

export interface DomainRouteRequest {
  directory: ImsDirectoryService;
  resolveTxt: TxtResolver;
  orgId: string;
  clientId: string;
  res: ServerResponse;
  json(): Promise<Record<string, unknown>>;
}

/** A claim as the API shows it; a pending one says which TXT record to publish and where. */
export function domainView(claim: DomainClaimState) {
  const base = { domain: claim.domain, status: claim.status, claimedBy: claim.claimedBy, claimedAt: claim.claimedAt };
  return claim.status === 'pending' ? { ...base, verification: verificationRecord(claim) } : base;
}

export async function routeDomains(r: DomainRouteRequest, method: string, domain: string | undefined, action: string | undefined): Promise<void> {
  const { directory, orgId, res } = r;
  if (domain === undefined) {
    if (method === 'GET') return sendJson(res, 200, { items: (await directory.listDomainClaims(orgId)).map(domainView) });
    if (method !== 'POST') throw notAllowed(res, 'GET, POST');
    const body = await r.json();
    if (typeof body.domain !== 'string') throw new AdminError('invalid_request', 'domain must be a string');
    const claim = await directory.requestDomainClaim(orgId, body.domain, `client:${r.clientId}`);
    const items = (await directory.listDomainClaims(orgId)).map(domainView);
    return sendJson(res, claim.status === 'pending' ? 202 : 200, { claim: domainView(claim), items });
  }
  const claim = await findClaim(directory, orgId, domain);
  if (action === 'verify') {
    if (method !== 'POST') throw notAllowed(res, 'POST');
    const checked = await verifyDomainClaim({ directory, resolveTxt: r.resolveTxt }, orgId, claim.domain);
    if (checked.status === 'pending') throw new ImsError('domain_unverified', describePendingClaim(checked));
    return sendJson(res, 200, domainView(checked.claim));
  }
  if (action !== undefined) throw new AdminError('not_found', 'no such endpoint');
  if (method !== 'DELETE') throw notAllowed(res, 'DELETE');
  await directory.releaseDomain(orgId, claim.domain);
  return sendJson(res, 204);
}

async function findClaim(directory: ImsDirectoryService, orgId: string, domain: string): Promise<DomainClaimState> {
  let ascii: string;
  try {
    ascii = normalizeDomain(domain);
  } catch {
    throw new AdminError('not_found', `domain ${domain} is not claimed by this organization`);
  }
  const claim = (await directory.listDomainClaims(orgId)).find((c) => c.domain === ascii);
  if (claim === undefined) throw new AdminError('not_found', `domain ${domain} is not claimed by this organization`);
  return claim;
}

function notAllowed(res: ServerResponse, allow: string): AdminError {
  res.setHeader('Allow', allow);
  return new AdminError('method_not_allowed', 'method not allowed');
}
