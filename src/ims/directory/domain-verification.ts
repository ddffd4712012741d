/**
 * The DNS proof behind a domain claim that nobody vouched for: a TXT record
 * `rehome-domain-verification=<token>` at the domain itself or at `_rehome-challenge.<domain>` (the second keeps
 * the apex's TXT set short). Only someone who controls the domain's DNS can publish it; the token is random per
 * organization and domain, so one org's record never proves another's claim.
 */
import { Resolver } from 'node:dns/promises';
import { normalizeDomain } from './directory-context.ts';
import { ImsError, type DomainClaimState, type ImsDirectoryService, type PendingDomainClaim } from './ims-directory.ts';

/**
 * The TXT records at a name, as node:dns `resolveTxt` returns them: one array of strings per record (DNS splits
 * long records into chunks of 255 bytes). The port the check runs through; tests pass a function of their own.
 */
export type TxtResolver = (hostname: string) => Promise<string[][]>;

export const VERIFICATION_PREFIX = 'rehome-domain-verification=';
export const CHALLENGE_LABEL = '_rehome-challenge';

/** The system's resolver (`/etc/resolv.conf`), with a short timeout: a check must not hang a request. */
export function systemTxtResolver(options: { timeoutMs?: number; tries?: number } = {}): TxtResolver {
  let resolver: Resolver | undefined;
  return (hostname) => (resolver ??= new Resolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 })).resolveTxt(hostname);
}

/** What to publish for a pending claim, and where (either name will do). */
export interface VerificationRecord {
  type: 'TXT';
  names: [string, string];
  value: string;
}

export function verificationRecord(claim: Pick<PendingDomainClaim, 'domain' | 'token'>): VerificationRecord {
  return { type: 'TXT', names: [claim.domain, `${CHALLENGE_LABEL}.${claim.domain}`], value: `${VERIFICATION_PREFIX}${claim.token}` };
}

export type LookupOutcome = 'found' | 'no_match' | 'no_record' | 'lookup_failed';

/** The outcome of a check: `claimed` once the record was found (now, or earlier), else still `pending`. */
export type DomainVerification =
  | { status: 'claimed'; claim: DomainClaimState; lookups: { name: string; outcome: LookupOutcome }[] }
  | { status: 'pending'; claim: PendingDomainClaim; record: VerificationRecord; lookups: { name: string; outcome: LookupOutcome }[] };

/** Looks for the record at both names; a failed lookup counts as not found (the caller may try again later). */
export async function lookUpVerificationRecord(resolveTxt: TxtResolver, record: VerificationRecord): Promise<{ name: string; outcome: LookupOutcome }[]> {
  return Promise.all(record.names.map(async (name) => {
    let records: string[][];
    try {
      records = await resolveTxt(name);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { name, outcome: code === 'ENODATA' || code === 'ENOTFOUND' ? 'no_record' : 'lookup_failed' } as const;
    }
    const found = records.some((chunks) => chunks.join('').trim() === record.value);
    return { name, outcome: found ? 'found' : records.length === 0 ? 'no_record' : 'no_match' } as const;
  }));
}

/**
 * Checks a pending claim's DNS proof and, when found, makes the claim. `not_found` when the org has no claim on
 * the domain; an already claimed domain is answered as claimed without a lookup.
 */
export async function verifyDomainClaim(
  deps: { directory: Pick<ImsDirectoryService, 'listDomainClaims' | 'confirmDomainClaim'>; resolveTxt: TxtResolver },
  orgId: string, domain: string,
): Promise<DomainVerification> {
  const ascii = normalizeDomain(domain);
  const claim = (await deps.directory.listDomainClaims(orgId)).find((c) => c.domain === ascii);
  if (claim === undefined) throw new ImsError('not_found', `${domain} has no claim of this organization: ask for it first`);
  if (claim.status === 'claimed') return { status: 'claimed', claim, lookups: [] };
  const record = verificationRecord(claim);
  const lookups = await lookUpVerificationRecord(deps.resolveTxt, record);
  if (!lookups.some((l) => l.outcome === 'found')) return { status: 'pending', claim, record, lookups };
  return { status: 'claimed', claim: await deps.directory.confirmDomainClaim(orgId, claim.domain), lookups };
}

/** The message for a claim still pending: what to publish, where, and what the lookups saw. */
export function describePendingClaim(v: Extract<DomainVerification, { status: 'pending' }>): string {
  const seen = v.lookups.map((l) => `${l.name}: ${l.outcome.replace('_', ' ')}`).join('; ');
  return `no TXT record "${v.record.value}" found at ${v.record.names.join(' or ')} (${seen}); publish it, wait for DNS to update, and check again`;
}
