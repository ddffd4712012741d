import type { ImsAccount, ImsDirectory, ProductUser, Subscription, SubscriptionSnapshot } from '../model.ts';
import { normalizeEmail, toAsciiDomain, type EmailPolicy, type NormalizedEmail } from '../email/normalize-email.ts';
import { isMixedScript, skeleton } from '../email/confusables.ts';

/** What the rules know about one product user; computed once per user. */
export interface UserFacts {
  user: ProductUser;
  subscription: Subscription;
  email: NormalizedEmail;
  /** The address as typed, trimmed and NFC (what the confusable checks look at). */
  display: string;
  admin: boolean;
  mixedScript: boolean;
  skeleton: string;
}

/** Run-wide indexes the rules consult; built once so every rule is O(1) per user. */
export interface RunIndex {
  policy: EmailPolicy;
  /** subscription id -> normalised address -> product user id(s) with it (a plain string while there is one). */
  addressesBySubscription: Map<string, Map<string, OneOrMore<string>>>;
  /** normalised address -> IMS accounts holding it. */
  imsByAddress: Map<string, ImsAccount[]>;
  /** skeleton -> distinct normalised address(es) sharing it. */
  addressesBySkeleton: Map<string, OneOrMore<string>>;
  /** normalised address -> id(s) of subscriptions in which it is a (non-API) user. */
  subscriptionsByAddress: Map<string, OneOrMore<string>>;
  /** Domains whose accounts some IMS organization manages (enterprise/federated IDs, or declared claims). */
  managedDomains: Map<string, string>;
}

/**
 * A value, or a set of them once a second distinct one arrives. Almost every key has exactly one value, and a
 * million small Sets cost more than the whole readiness run; this keeps the common case a bare string.
 */
export type OneOrMore<V> = V | Set<V>;

export function countOf<V>(v: OneOrMore<V> | undefined): number {
  return v === undefined ? 0 : v instanceof Set ? v.size : 1;
}

export function valuesOf<V>(v: OneOrMore<V> | undefined): V[] {
  return v === undefined ? [] : v instanceof Set ? [...v] : [v];
}

export function buildFacts(snapshots: SubscriptionSnapshot[], policy: EmailPolicy, domainCache: Map<string, string>): UserFacts[] {
  const facts: UserFacts[] = [];
  for (const { subscription, users } of snapshots) {
    const admins = new Set(subscription.admins);
    for (const user of users) {
      const display = user.email.trim().normalize('NFC');
      facts.push({
        user,
        subscription,
        email: normalizeEmail(display, policy, domainCache),
        display,
        admin: admins.has(user.id),
        mixedScript: isMixedScript(display),
        skeleton: skeleton(display),
      });
    }
  }
  return facts;
}

export function buildIndex(facts: UserFacts[], ims: ImsDirectory, policy: EmailPolicy, domainCache: Map<string, string>): RunIndex {
  const addressesBySubscription = new Map<string, Map<string, OneOrMore<string>>>();
  const addressesBySkeleton = new Map<string, OneOrMore<string>>();
  const subscriptionsByAddress = new Map<string, OneOrMore<string>>();
  for (const f of facts) {
    // Users who will not move (API-only, deactivated, locked) cannot collide with anyone.
    if (!f.email.ok || f.user.apiOnly || f.user.status === 'deactivated' || f.user.locked) continue;
    const address = f.email.address;
    let bySub = addressesBySubscription.get(f.subscription.id);
    if (!bySub) addressesBySubscription.set(f.subscription.id, (bySub = new Map()));
    add(bySub, address, f.user.id);
    add(addressesBySkeleton, f.skeleton, address);
    add(subscriptionsByAddress, address, f.subscription.id);
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
  return { policy, addressesBySubscription, imsByAddress, addressesBySkeleton, subscriptionsByAddress, managedDomains };
}

function add<K, V>(map: Map<K, OneOrMore<V>>, key: K, value: V): void {
  const have = map.get(key);
  if (have === undefined) map.set(key, value);
  else if (have instanceof Set) have.add(value);
  else if (have !== value) map.set(key, new Set([have, value]));
}
