import type { ImsAccount, ProductUser, Subscription } from '../model.ts';
import { normalizeEmail, toAsciiDomain } from '../email/normalize-email.ts';

/**
 * The part of a fleet-wide IMS directory one subscription's snapshot keeps. A snapshot of `rehome import` holds the
 * whole export; a fleet's export holds every subscription's accounts, and 5,000 copies of it cannot be stored. The
 * readiness rules read the directory in two ways only (src/core/readiness/readiness-run.ts): the accounts holding a
 * user's matching key, and whether a user's domain holds an enterprise or federated account. The slice keeps every
 * account of the first kind and one account per such domain, so the subscription's readiness, and its plan, are
 * what they would be with the whole export.
 */

/** Case-folding the local part: one key that every matching policy's key maps into (a superset, never fewer). */
const FOLDED = { caseFoldLocalPart: true } as const;

/** The key an account or user is filed under in the fleet's directory index; undefined for an unusable address. */
export function directoryKey(email: string): string | undefined {
  const e = normalizeEmail(email, FOLDED);
  return e.ok ? e.address : undefined;
}

/** The domain an enterprise or federated account makes "managed" for readiness; undefined for other accounts. */
export function managedDomainOf(account: Pick<ImsAccount, 'type' | 'email' | 'domain'>): string | undefined {
  if (account.type === 'personal') return undefined;
  const e = normalizeEmail(account.email, FOLDED);
  if (!e.ok) return undefined;
  return toAsciiDomain(account.domain || e.domain) ?? e.domain;
}

/**
 * The account as `rehome import` reads it for this subscription: an enterprise or federated ID in a domain the
 * subscription's organization claims counts as verified (src/importers/ims-directory.ts). The fleet's directory is
 * read once with no claimed domain, so each slice applies its own organization's claims.
 */
export function accountForOrg(account: ImsAccount, claimedDomains: readonly string[]): ImsAccount {
  if (account.emailVerified || account.type === 'personal' || !claimedDomains.includes(account.domain)) return account;
  return { ...account, emailVerified: true };
}

/** What a subscription's users ask of the directory: their keys, and their domains its organization does not claim. */
export interface SliceRequest {
  keys: Set<string>;
  domains: Set<string>;
}

export function createSliceRequest(): SliceRequest {
  return { keys: new Set(), domains: new Set() };
}

/** Adds one user's key and (when the organization does not claim it) domain to the request. */
export function addUserToSlice(request: SliceRequest, user: Pick<ProductUser, 'email'>, subscription: Pick<Subscription, 'imsOrg'>): void {
  const e = normalizeEmail(user.email, FOLDED);
  if (!e.ok) return;
  request.keys.add(e.address);
  if (!subscription.imsOrg.claimedDomains.includes(e.domain)) request.domains.add(e.domain);
}
