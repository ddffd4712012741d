// Regenerates examples/fleet: 60 subscriptions of a product, as `rehome program import --dir` reads them (one folder
// per subscription, named by its id, with users.csv, subscription.json and sometimes tickets.jsonl; one
// ims-directory.csv at the top). Deterministic: the same seed gives the same files. bench/program.ts writes a fleet
// of 5,000 subscriptions and 2,000,000 users with `writeFleet`.
//   node scripts/make-example-fleet.ts
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImsAccount, ProductUser, Subscription } from '../src/core/model.ts';
import { writeImsDirectoryCsv } from '../src/exporters/ims-directory-csv.ts';
import { writeProductUsersCsv } from '../src/exporters/product-users-csv.ts';
import { generatePopulation } from '../src/population/generate-population.ts';
import { seededRandom } from '../src/population/seeded-random.ts';

export interface FleetOptions {
  subscriptions: number;
  /** Users of the whole fleet: the sizes are scaled to add up to it. Default: whatever the size draw gives. */
  users?: number;
  /** The largest subscription (default 50,000). */
  maxUsers?: number;
  seed?: number;
}

/** What each subscription was made to show the wave planner, beside every readiness case the population has. */
export type FleetCase = 'plain' | 'sso_configured' | 'sso_missing' | 'admins_unverified';

export interface FleetSummary {
  subscriptions: number;
  users: number;
  imsAccounts: number;
  cases: Record<FleetCase, number>;
}

const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/Berlin', 'Europe/London', 'Asia/Tokyo', 'Australia/Sydney'];

/**
 * Subscription sizes as a vendor's fleet has them: most under 75 users, some hundreds, a few thousands, a long tail
 * up to `maxUsers`; scaled (the subscriptions of 75 or more) to add up to `users` when given.
 */
export function fleetSizes(count: number, rnd: () => number, opts: { users?: number; maxUsers: number }): number[] {
  const sizes = Array.from({ length: count }, () => {
    const r = rnd();
    const s = rnd() ** 2;
    if (r < 0.74) return 3 + Math.floor(rnd() * 72);
    if (r < 0.93) return 75 + Math.floor(s * 725);
    if (r < 0.985) return 800 + Math.floor(s * 4200);
    return 5000 + Math.floor(s * 45000);
  }).map((n) => Math.min(n, opts.maxUsers));
  if (opts.users === undefined) return sizes;
  const scaled = (f: number) => sizes.map((n) => (n < 75 ? n : Math.min(opts.maxUsers, Math.max(75, Math.round(n * f)))));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  let lo = 0;
  let hi = 1000;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (sum(scaled(mid)) < opts.users) lo = mid;
    else hi = mid;
  }
  const result = scaled(lo);
  // The rounding rest goes to the largest subscriptions that still have room (or comes off them).
  let rest = opts.users - sum(result);
  const order = result.map((n, i) => [n, i] as const).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
  for (const i of order) {
    if (rest === 0) break;
    const next = Math.min(opts.maxUsers, Math.max(75, result[i]! + rest));
    rest -= next - result[i]!;
    result[i] = next;
  }
  return result;
}

function caseOf(k: number): FleetCase {
  // Every case early, so a small fleet shows each: SSO configured, SSO missing, no admin ready.
  if (k % 13 === 4) return 'sso_configured';
  if (k % 17 === 6) return 'sso_missing';
  if (k % 19 === 9) return 'admins_unverified';
  return 'plain';
}

/** One subscription of the fleet: a generated population, made unique in the fleet and shaped to its case. */
export function fleetSubscription(k: number, users: number, seed: number): { subscription: Subscription; users: ProductUser[]; imsAccounts: ImsAccount[]; fleetCase: FleetCase } {
  const id = `SUB-${String(k).padStart(4, '0')}`;
  const company = `customer${k}.example`;
  const fleetCase = caseOf(k);
  const p = generatePopulation({ users, seed: seed * 100_003 + k, subscriptionId: id, subscriptionName: `Customer ${k} Marketing`, companyDomain: company, ssoConfigured: fleetCase === 'sso_configured' });
  p.subscription.timeZone = ZONES[k % ZONES.length]!;
  p.subscription.imsOrg = { ...p.subscription.imsOrg, id: `${(0xa1b2c3 + k).toString(16).toUpperCase().padStart(24, '0')}@AdobeOrg`, name: `Customer ${k}` };
  // Addresses outside the customer's own domain (gmail.com, agencies) are made unique to the subscription, so two
  // subscriptions never share a person by accident; the IMS accounts follow their users.
  const unique = (email: string) => {
    const at = email.lastIndexOf('@');
    if (at <= 0 || email.indexOf('@') !== at || email.slice(at + 1).toLowerCase() === company) return email;
    return `${email.slice(0, at)}.s${k}${email.slice(at)}`;
  };
  for (const u of p.users) {
    const login = u.login === u.email ? null : u.login;
    u.email = unique(u.email);
    u.login = login ?? u.email;
    if (fleetCase !== 'sso_configured' && fleetCase !== 'sso_missing') u.sso = false;
    if (fleetCase === 'admins_unverified' && p.subscription.admins.includes(u.id)) u.emailVerified = false;
  }
  const imsAccounts = p.imsAccounts.map((a) => ({ ...a, id: a.id.replace(/^ims-/, `ims-${k}-`), email: unique(a.email), username: a.username.includes('#') ? a.username : unique(a.username) }));
  return { subscription: p.subscription, users: p.users, imsAccounts, fleetCase };
}

/** A few support tickets from the subscription's users, in the tickets.jsonl format `rehome tickets` reads. */
function fleetTickets(users: ProductUser[], k: number): string {
  const lines: string[] = [];
  const n = Math.min(users.length, 3 + (k % 5));
  for (let i = 0; i < n; i++) {
    const submitter = users[(i * 7) % users.length]!.id;
    const created = new Date(Date.UTC(2026, 3, 1 + i, 9, k % 60)).toISOString();
    lines.push(JSON.stringify({
      id: `SR-${k}-${i + 1}`, subject: `Question ${i + 1} of customer ${k}`, submitter, status: i % 2 === 0 ? 'open' : 'solved', created,
      messages: [{ author: submitter, at: created, body: 'The report does not open.' }, { author: null, at: created, body: 'Thanks, we are looking into it.' }],
    }));
  }
  return `${lines.join('\n')}\n`;
}

/** Writes a fleet into `dir` (replacing it), subscription by subscription: only one population in memory at a time. */
export function writeFleet(dir: string, opts: FleetOptions): FleetSummary {
  const seed = opts.seed ?? 2026;
  const sizes = fleetSizes(opts.subscriptions, seededRandom(seed), { maxUsers: opts.maxUsers ?? 50_000, ...(opts.users === undefined ? {} : { users: opts.users }) });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const accounts: string[] = [];
  const summary: FleetSummary = { subscriptions: 0, users: 0, imsAccounts: 0, cases: { plain: 0, sso_configured: 0, sso_missing: 0, admins_unverified: 0 } };
  sizes.forEach((size, i) => {
    const k = i + 1;
    const s = fleetSubscription(k, size, seed);
    const folder = join(dir, s.subscription.id);
    mkdirSync(folder);
    writeFileSync(join(folder, 'users.csv'), writeProductUsersCsv(s.users, ['department']));
    writeFileSync(join(folder, 'subscription.json'), `${JSON.stringify(s.subscription, null, 2)}\n`);
    if (k % 4 === 1) writeFileSync(join(folder, 'tickets.jsonl'), fleetTickets(s.users, k));
    // The export's rows without its header, subscription by subscription; one file at the end.
    const csv = writeImsDirectoryCsv(s.imsAccounts);
    accounts.push(csv.slice(csv.indexOf('\r\n') + 2));
    summary.subscriptions++;
    summary.users += s.users.length;
    summary.imsAccounts += s.imsAccounts.length;
    summary.cases[s.fleetCase]++;
  });
  const header = writeImsDirectoryCsv([]);
  writeFileSync(join(dir, 'ims-directory.csv'), header + accounts.join(''));
  return summary;
}

if (import.meta.main) {
  const dir = new URL('../examples/fleet/', import.meta.url).pathname;
  const summary = writeFleet(dir, { subscriptions: 60, users: 9000, maxUsers: 2500, seed: 2026 });
  console.log(`examples/fleet: ${summary.subscriptions} subscriptions, ${summary.users} users, ${summary.imsAccounts} IMS accounts; cases ${JSON.stringify(summary.cases)}`);
}
