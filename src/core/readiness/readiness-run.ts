import type { ImsAccount, ProductUser, Subscription } from '../model.ts';
import { DEFAULT_EMAIL_POLICY, isAscii, normalizeEmail, toAsciiDomain, type EmailPolicy, type EmailProblem } from '../email/normalize-email.ts';
import { skeleton } from '../email/confusables.ts';
import { NONE, type FactsEmail, type ReadinessUser, type RuleAccount, type RunIndex, type UserFacts } from './run-index.ts';
import { decideUser } from './decide-user.ts';
import { createSummaryBuilder } from './summary.ts';
import type { ReadinessSummary, UserReadiness } from './report.ts';
import { compareIds } from './report-order.ts';
import { createStringGroups } from './string-groups.ts';
import { fullName } from '../glossary/people.ts';

export type { ReadinessUser };

/**
 * Readiness fed one record at a time, for inputs too big to hold as objects (a million users): the I/O layer feeds
 * IMS accounts and users as it reads them, then `finish` yields the summary and the decisions in report order.
 * Per user it keeps only what the rules consult later, in compact form: flags and group numbers in typed arrays,
 * the id, the matching key and (rarely) a login or expiry that differs. The decisions are the same as
 * `planReadiness`, which is this run over arrays.
 */
export interface ReadinessRun {
  addImsAccount(account: ImsAccount): void;
  /** `subscription` indexes the run's subscriptions (their order is the report's). */
  addUser(subscription: number, user: ReadinessUser): void;
  /** Ends the feeding and groups duplicates and look-alikes; decisions are made by the outcome's passes. */
  finish(): ReadinessOutcome;
}

export interface ReadinessOutcome {
  /**
   * Every user's decision in report order (admins first, then by subscription and product user id), decided
   * afresh. A pass to the end also counts the summary, so a report that shows the summary after the users (CSV,
   * the terminal table) decides each user once.
   */
  users(): IterableIterator<UserReadiness>;
  /** The summary: counted by the last complete `users()` pass, or by a pass of its own (deciding everyone). */
  summary(): ReadinessSummary;
}

export interface ReadinessRunOptions {
  policy?: EmailPolicy;
  /** Domains claimed by other IMS organizations (domain -> org id), as an IMS directory may declare them. */
  domainsClaimedElsewhere?: Record<string, string>;
}

// Flag bits of a user.
const VERIFIED = 1;
const API_ONLY = 2;
const SSO = 4;
const LOCKED = 8;
const ADMIN = 16;
/** The address as given is already trimmed NFC (nearly always): no need to derive the display form again. */
const PLAIN = 32;
const STATUSES = ['active', 'invited', 'deactivated'] as const satisfies readonly ProductUser['status'][];
const NO_GROUP = 0xffffffff;

/** Growable typed column. */
function grow<T extends Uint8Array | Uint16Array | Uint32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

/**
 * A copy of `s` that shares no memory with the text it was cut from. V8 keeps a long `slice` as a view of its
 * parent string: one kept id or address of a 4 MiB chunk of the input would keep the whole chunk alive.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (` ${s}`).slice(1);
}

/**
 * The run's cache of domains (raw -> A-label form). normalize-email.ts keys it by a cut of the address, which is a
 * cut of a 4 MiB chunk of the input: kept as it is, a few hundred distinct domains would keep every chunk alive.
 */
class DetachedKeys extends Map<string, string> {
  override set(key: string, value: string): this {
    return super.set(detach(key), value);
  }
}

export function createReadinessRun(subscriptions: readonly Subscription[], options: ReadinessRunOptions = {}): ReadinessRun {
  const policy = options.policy ?? DEFAULT_EMAIL_POLICY;
  const domainCache = new DetachedKeys();
  const admins = subscriptions.map((s) => new Set(s.admins));

  let n = 0;
  const ids: string[] = [];
  const emails: string[] = [];
  /** The matching key, or null when the address is refused (`problems` says why). */
  const keys: (string | null)[] = [];
  let flags = new Uint8Array(1024);
  let status = new Uint8Array(1024);
  let sub = new Uint16Array(1024);
  let addressGroup = new Uint32Array(1024);
  let skeletonGroup = new Uint32Array(1024);
  const problems = new Map<number, EmailProblem>();
  const logins = new Map<number, string>();
  const expiries = new Map<number, string>();
  const adminIndexes: number[] = [];
  /** Admins' names, to name them in the summary (a few per subscription; other users' names are not kept). */
  const adminNames = new Map<number, string>();

  // Only users who move can collide: groups of user indexes by address, groups of addresses by skeleton.
  const addressMembers: (number | number[])[] = [];
  const skeletonMembers: (string | Set<string>)[] = [];

  const imsByAddress = new Map<string, RuleAccount[]>();
  const managedDomains = new Map<string, string>();
  let finished = false;

  function addImsAccount(account: ImsAccount): void {
    const e = normalizeEmail(account.email, policy, domainCache);
    if (!e.ok) return;
    const kept: RuleAccount = {
      id: detach(account.id),
      type: account.type,
      emailVerified: account.emailVerified,
      status: account.status,
      provisioned: account.productConfigurations.length > 0 || account.adminRoles.length > 0,
    };
    const list = imsByAddress.get(e.address);
    if (list) list.push(kept);
    else imsByAddress.set(detach(e.address), [kept]);
    if (account.type !== 'personal') {
      const domain = toAsciiDomain(account.domain || e.domain, domainCache) ?? e.domain;
      if (!managedDomains.has(domain)) managedDomains.set(domain, 'an organization holding enterprise or federated IDs');
    }
  }

  function addUser(s: number, user: ReadinessUser): void {
    if (finished) throw new Error('readiness run already finished');
    const i = n++;
    if (i >= flags.length) {
      flags = grow(flags, i + 1);
      status = grow(status, i + 1);
      sub = grow(sub, i + 1);
      addressGroup = grow(addressGroup, i + 1);
      skeletonGroup = grow(skeletonGroup, i + 1);
    }
    const trimmed = user.email.trim();
    const display = isAscii(trimmed) ? trimmed : trimmed.normalize('NFC');
    const e = normalizeEmail(display, policy, domainCache);
    const admin = admins[s]?.has(user.id) ?? false;
    const st = STATUSES.indexOf(user.status);
    ids.push(detach(user.id));
    const key = e.ok ? detach(e.address) : null;
    keys.push(key);
    emails.push(user.email === key ? key : detach(user.email));
    if (!e.ok) problems.set(i, e.problem);
    flags[i] = (user.emailVerified ? VERIFIED : 0) | (user.apiOnly ? API_ONLY : 0) | (user.sso ? SSO : 0) | (user.locked ? LOCKED : 0)
      | (admin ? ADMIN : 0) | (display === user.email ? PLAIN : 0);
    status[i] = st < 0 ? 0 : st;
    sub[i] = s;
    if (user.login !== user.email) logins.set(i, detach(user.login));
    if (user.expiresAt) expiries.set(i, detach(user.expiresAt));
    if (admin) {
      adminIndexes.push(i);
      const name = fullName(user.firstName, user.lastName);
      if (name) adminNames.set(i, detach(name));
    }
    // Whether the user can collide with anyone is known now; the groups are made in `finish`, once the input
    // (and whatever the reader keeps while reading) is gone.
    addressGroup[i] = key === null || user.apiOnly || user.status === 'deactivated' || user.locked ? NO_GROUP : 0;
  }

  /**
   * Groups the users who move by address, then by skeleton, one map at a time (each holds a million keys while it
   * is built): `addressGroup[i]` and `skeletonGroup[i]` number the groups, `addressMembers` and `skeletonMembers`
   * hold them.
   */
  function groupUsers(): void {
    const byAddress = createStringGroups(n);
    for (let i = 0; i < n; i++) {
      if (addressGroup[i] === NO_GROUP) continue;
      const g = byAddress.groupOf(keys[i]!);
      addressGroup[i] = g;
      if (g === addressMembers.length) addressMembers.push(i);
      else {
        const have = addressMembers[g]!;
        if (typeof have === 'number') addressMembers[g] = [have, i];
        else have.push(i);
      }
    }
    const bySkeleton = createStringGroups(n);
    const domainSkeletons = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      if (addressGroup[i] === NO_GROUP) continue;
      const key = keys[i]!;
      const g = bySkeleton.groupOf(skeletonOf(displayOf(i), domainSkeletons));
      skeletonGroup[i] = g;
      if (g === skeletonMembers.length) skeletonMembers.push(key);
      else {
        const twins = skeletonMembers[g]!;
        if (typeof twins === 'string') { if (twins !== key) skeletonMembers[g] = new Set([twins, key]); }
        else twins.add(key);
      }
    }
  }

  /** The address as typed, trimmed and NFC. */
  function displayOf(i: number): string {
    const email = emails[i]!;
    if ((flags[i]! & PLAIN) !== 0) return email;
    const trimmed = email.trim();
    return isAscii(trimmed) ? trimmed : trimmed.normalize('NFC');
  }

  const ix: RunIndex = { policy, managedDomains };
  // One facts object, refilled per user: the rules read it and keep nothing of it.
  const f: UserFacts = {
    user: { id: '', login: '', email: '', emailVerified: false, status: 'active', apiOnly: false, sso: false, expiresAt: null, locked: false },
    subscription: subscriptions[0]!,
    email: { ok: false, problem: 'empty' },
    display: '',
    admin: false,
    duplicates: NONE,
    lookalikes: NONE,
    otherSubscriptions: NONE,
    imsAccounts: NONE,
  };

  function decide(i: number): UserReadiness {
    const fl = flags[i]!;
    const email = emails[i]!;
    const key = keys[i]!;
    const u = f.user;
    u.id = ids[i]!;
    u.email = email;
    u.login = logins.get(i) ?? email;
    u.emailVerified = (fl & VERIFIED) !== 0;
    u.status = STATUSES[status[i]!]!;
    u.apiOnly = (fl & API_ONLY) !== 0;
    u.sso = (fl & SSO) !== 0;
    u.locked = (fl & LOCKED) !== 0;
    u.expiresAt = expiries.get(i) ?? null;
    f.subscription = subscriptions[sub[i]!]!;
    f.admin = (fl & ADMIN) !== 0;
    f.display = displayOf(i);
    f.email = key === null ? { ok: false, problem: problems.get(i)! } : splitKey(key);
    f.imsAccounts = key === null ? NONE : imsByAddress.get(key) ?? NONE;
    f.duplicates = NONE;
    f.otherSubscriptions = NONE;
    f.lookalikes = NONE;
    const ag = addressGroup[i]!;
    if (ag !== NO_GROUP) {
      const group = addressMembers[ag]!;
      if (typeof group !== 'number') {
        const dup: string[] = [];
        const subs = new Set<string>();
        for (const j of group) {
          if (j === i) continue;
          if (sub[j] === sub[i]) dup.push(ids[j]!);
          else subs.add(subscriptions[sub[j]!]!.id);
        }
        if (dup.length > 0) f.duplicates = dup;
        if (subs.size > 0) f.otherSubscriptions = [...subs];
      }
      const twins = skeletonMembers[skeletonGroup[i]!]!;
      if (typeof twins !== 'string') f.lookalikes = [...twins].filter((a) => a !== key);
    }
    return decideUser(f, ix);
  }

  function finish(): ReadinessOutcome {
    if (finished) throw new Error('readiness run already finished');
    finished = true;
    for (const [domain, orgId] of Object.entries(options.domainsClaimedElsewhere ?? {})) {
      const ascii = toAsciiDomain(domain, domainCache);
      if (ascii) managedDomains.set(ascii, orgId);
    }
    groupUsers();
    const order = reportOrder();
    let counted: ReadinessSummary | undefined;
    function* users(): Generator<UserReadiness> {
      const summary = createSummaryBuilder(subscriptions);
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!;
        const u = decide(i);
        summary.add(u, (flags[i]! & VERIFIED) !== 0, i, adminNames.get(i));
        yield u;
      }
      counted = summary.finish();
    }
    return {
      users,
      summary() {
        if (counted === undefined) for (const u of users()) void u;
        return counted!;
      },
    };
  }

  /** Admins first, then subscriptions in input order, then product user id; exports are usually in that order already. */
  function reportOrder(): Uint32Array {
    const compare = (a: number, b: number) => sub[a]! - sub[b]! || compareIds(ids[a]!, ids[b]!);
    const order = new Uint32Array(n);
    adminIndexes.sort(compare);
    order.set(adminIndexes);
    let k = adminIndexes.length;
    let sorted = true;
    let last = -1;
    for (let i = 0; i < n; i++) {
      if ((flags[i]! & ADMIN) !== 0) continue;
      if (last >= 0 && sorted && compare(last, i) > 0) sorted = false;
      order[k++] = last = i;
    }
    if (!sorted) order.subarray(adminIndexes.length).sort(compare);
    return order;
  }

  return { addImsAccount, addUser, finish };
}

/**
 * The TR39 skeleton of an address. An ASCII skeleton is made character by character (confusables.ts maps each ASCII
 * character on its own, then lower-cases), so it is the local part's skeleton, `@`, and the domain's, which a
 * million addresses share among a few domains: that half is made once per domain.
 */
function skeletonOf(display: string, domains: Map<string, string>): string {
  const at = display.lastIndexOf('@');
  if (at < 0 || !isAscii(display)) return skeleton(display);
  const domain = display.slice(at + 1);
  let tail = domains.get(domain);
  if (tail === undefined) domains.set(domain, (tail = `@${skeleton(domain)}`));
  return skeleton(display.slice(0, at)) + tail;
}

function splitKey(key: string): FactsEmail {
  const at = key.lastIndexOf('@');
  return { ok: true, address: key, local: key.slice(0, at), domain: key.slice(at + 1) };
}
