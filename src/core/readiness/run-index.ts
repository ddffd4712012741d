import type { ImsAccount, ImsDirectory, ProductUser, Subscription, SubscriptionSnapshot } from '../model.ts';
import { isAscii, normalizeEmail, toAsciiDomain, type EmailPolicy, type NormalizedEmail } from '../email/normalize-email.ts';
import { skeleton } from '../email/confusables.ts';

/**
 * What the rules know about one product user, computed once per run: the normalised address, its TR39 skeleton,
 * and everything the run-wide look-ups say about it (duplicates, look-alikes, IMS accounts, other subscriptions),
 * so that every rule is a field check. A million users take a few seconds this way; most of that is hashing the
 * addresses once.
 */
export interface UserFacts {
  user: ProductUser;
  subscription: Subscription;
  email: NormalizedEmail;
  /** The address as typed, trimmed and NFC (what the confusable checks look at). */
  display: string;
  admin: boolean;
  skeleton: string;
  /** Other product users of the same subscription with the same normalised address. */
  duplicates: readonly string[];
  /** Other normalised addresses of this run whose skeleton equals this one's. */
  lookalikes: readonly string[];
  /** Other subscriptions of this run in which the same address is a user. */
  otherSubscriptions: readonly string[];
  /** IMS accounts holding the normalised address. */
  imsAccounts: readonly ImsAccount[];
}

/** Run-wide facts the rules consult besides the user's own. */
export interface RunIndex {
  policy: EmailPolicy;
  /** Domains whose accounts some IMS organization manages (enterprise/federated IDs, or declared claims). */
  managedDomains: Map<string, string>;
}

const NONE: readonly never[] = Object.freeze([]);

export function buildFacts(snapshots: SubscriptionSnapshot[], policy: EmailPolicy, domainCache: Map<string, string>): UserFacts[] {
  const facts: UserFacts[] = [];
  for (const { subscription, users } of snapshots) {
    const admins = new Set(subscription.admins);
    for (const user of users) {
      const trimmed = user.email.trim();
      const display = isAscii(trimmed) ? trimmed : trimmed.normalize('NFC');
      facts.push({
        user,
        subscription,
        email: normalizeEmail(display, policy, domainCache),
        display,
        admin: admins.has(user.id),
        skeleton: skeleton(display),
        duplicates: NONE,
        lookalikes: NONE,
        otherSubscriptions: NONE,
        imsAccounts: NONE,
      });
    }
  }
  return facts;
}

/** Users who will not move (API-only, deactivated, locked) cannot collide with anyone. */
function moves(f: UserFacts): boolean {
  return f.email.ok && !f.user.apiOnly && f.user.status !== 'deactivated' && !f.user.locked;
}

/** Resolves every user's look-ups (mutating `facts` in place) and returns the run-wide index. */
export function buildIndex(facts: UserFacts[], ims: ImsDirectory, policy: EmailPolicy, domainCache: Map<string, string>): RunIndex {
  // address -> index of the one user with it, or the indexes of all of them (a plain number in the common case).
  const byAddress = new Map<string, number | number[]>();
  // skeleton -> the one address with it, or all of them.
  const bySkeleton = new Map<string, string | Set<string>>();
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i]!;
    if (!moves(f) || !f.email.ok) continue;
    const address = f.email.address;
    const have = byAddress.get(address);
    if (have === undefined) byAddress.set(address, i);
    else if (typeof have === 'number') byAddress.set(address, [have, i]);
    else have.push(i);
    const twins = bySkeleton.get(f.skeleton);
    if (twins === undefined) bySkeleton.set(f.skeleton, address);
    else if (typeof twins === 'string') { if (twins !== address) bySkeleton.set(f.skeleton, new Set([twins, address])); }
    else twins.add(address);
  }

  const imsByAddress = new Map<string, ImsAccount[]>();
  const managedDomains = new Map<string, string>();
  for (const account of ims.accounts) {
    const e = normalizeEmail(account.email, policy, domainCache);
    if (!e.ok) continue;
    const list = imsByAddress.get(e.address);
    if (list) list.push(account);
    else imsByAddress.set(e.address, [account]);
    if (account.type !== 'personal') {
      const domain = toAsciiDomain(account.domain || e.domain, domainCache) ?? e.domain;
      if (!managedDomains.has(domain)) managedDomains.set(domain, 'an organization holding enterprise or federated IDs');
    }
  }
  for (const [domain, orgId] of Object.entries(ims.domainsClaimedElsewhere ?? {})) {
    const ascii = toAsciiDomain(domain, domainCache);
    if (ascii) managedDomains.set(ascii, orgId);
  }

  for (let i = 0; i < facts.length; i++) {
    const f = facts[i]!;
    if (!f.email.ok) continue;
    const address = f.email.address;
    f.imsAccounts = imsByAddress.get(address) ?? NONE;
    if (!moves(f)) continue;
    const group = byAddress.get(address);
    if (Array.isArray(group)) {
      const dup: string[] = [];
      const subs = new Set<string>();
      for (const j of group) {
        if (j === i) continue;
        const other = facts[j]!;
        if (other.subscription.id === f.subscription.id) dup.push(other.user.id);
        else subs.add(other.subscription.id);
      }
      if (dup.length > 0) f.duplicates = dup;
      if (subs.size > 0) f.otherSubscriptions = [...subs];
    }
    const twins = bySkeleton.get(f.skeleton);
    if (twins instanceof Set) f.lookalikes = [...twins].filter((a) => a !== address);
  }
  return { policy, managedDomains };
}
