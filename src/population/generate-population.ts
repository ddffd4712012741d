import type { ImsAccount, ProductUser, Subscription } from '../core/model.ts';
import { seededRandom } from './seeded-random.ts';

/**
 * A deterministic, realistic population for examples, demos and benchmarks: mostly ordinary users, plus every
 * case readiness must recognise, in proportions seen in real subscriptions. Same seed, same data.
 */
export interface Population {
  subscription: Subscription;
  users: ProductUser[];
  imsAccounts: ImsAccount[];
}

export interface PopulationOptions {
  users: number;
  seed?: number;
  subscriptionId?: string;
  subscriptionName?: string;
  /** Domain the organization claims (its enterprise/federated domain). */
  companyDomain?: string;
  ssoConfigured?: boolean;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Dennis', 'Radia', 'Linus', 'Hedy', 'Tim', 'Sophie', 'José', 'Zoë', 'Björn', 'Amélie', 'Łukasz', 'Chen', 'Yuki', 'Priya', 'Olu'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Ritchie', 'Perlman', 'Torvalds', 'Lamarr', 'Berners-Lee', 'Wilson', 'García', 'Müller', 'Nørgaard', 'Dubois', 'Kowalski', 'Wei', 'Tanaka', 'Sharma', 'Adeyemi'];
const WORKSPACES = ['Default', 'EMEA', 'Americas', 'APAC'];
const PARTITIONS = ['Main', 'Leads', 'Partners'];
const ROLES = ['Standard User', 'Marketing User', 'Analyst', 'Web Designer'];

/** The case each generated user was built to exhibit, in order of cumulative probability. */
const CASES: [string, number][] = [
  ['unverified', 0.07], ['invited', 0.02], ['api_only', 0.03], ['deactivated', 0.03], ['locked', 0.01], ['sso', 0.02],
  ['duplicate', 0.005], ['invalid_email', 0.005], ['ambiguous', 0.004], ['ims_unverified', 0.006], ['confusable', 0.002],
  ['claimed_elsewhere', 0.004], ['ims_disabled', 0.004], ['identity_conflict', 0.004], ['login_differs', 0.03],
  ['access_expires', 0.02], ['gmail_plus', 0.01], ['existing_ims', 0.15],
];

export function generatePopulation(opts: PopulationOptions): Population {
  const rnd = seededRandom(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const company = opts.companyDomain ?? 'acme.example';
  const subscription: Subscription = {
    id: opts.subscriptionId ?? '123-ABC-456', name: opts.subscriptionName ?? 'Acme Marketing (production)',
    timeZone: 'America/Los_Angeles', admins: [],
    imsOrg: { id: 'A1B2C3D4E5F6A7B8C9D0E1F2@AdobeOrg', name: 'Acme Corp', claimedDomains: [company], ssoConfigured: opts.ssoConfigured ?? false },
  };
  const users: ProductUser[] = [];
  const ims: ImsAccount[] = [];
  const signUps: ImsAccount[] = [];
  const outsideDomains = ['gmail.com', 'outlook.example', 'agency.example', 'freelance.example'];
  const cumulative = CASES.reduce<[string, number][]>((acc, [c, p]) => [...acc, [c, (acc.at(-1)?.[1] ?? 0) + p]], []);
  for (let i = 1; i <= opts.users; i++) {
    const id = String(1000 + i);
    const first = pick(FIRST);
    const last = pick(LAST);
    const slug = `${ascii(first)}.${ascii(last)}${i}`.toLowerCase();
    const r = rnd();
    const admins = Math.max(2, Math.ceil(opts.users / 150));
    // Right after the admins, one user of every case, so even a small example shows each of them.
    const forced = i - admins - 1;
    const kind = forced >= 0 && forced < CASES.length ? CASES[forced]![0] : cumulative.find(([, p]) => r < p)?.[0] ?? 'plain';
    const drawn = kind === 'claimed_elsewhere' ? 'partner-corp.example' : rnd() < 0.8 ? company : pick(outsideDomains);
    // An org-provisioned account that never verified (and a squat beside it) lives outside the claimed domain, where
    // accounts are not verified by the domain claim. (Drawn first all the same: the other users stay as they were.)
    const domain = kind === 'ims_unverified' ? 'freelance.example' : drawn;
    let email = `${slug}@${domain}`;
    if (kind === 'gmail_plus') email = `${slug}+mkto@gmail.com`;
    if (kind === 'invalid_email') email = pick([`${slug}@`, `${slug}.${company}`, `${slug}@@${company}`, `${slug} @${company}`]);
    if (kind === 'duplicate' && users.length > 0) email = users[users.length - 1]!.email.toUpperCase();
    if (kind === 'confusable') email = `\u0430${slug.slice(1)}@${company}`; // a Cyrillic first letter: mixed scripts
    // The first forced case ('unverified') is also an admin: a realistic subscription has one admin not ready yet.
    const admin = i <= admins || forced === 0;
    const u: ProductUser = {
      id, login: kind === 'login_differs' ? `${ascii(first).toLowerCase()}${i}` : email, email,
      emailVerified: !['unverified', 'invited'].includes(kind), firstName: first, lastName: last,
      status: kind === 'invited' ? 'invited' : kind === 'deactivated' ? 'deactivated' : 'active',
      apiOnly: kind === 'api_only', sso: kind === 'sso', lastLogin: kind === 'invited' ? null : `2026-${String(1 + (i % 10)).padStart(2, '0')}-1${i % 10}T09:${String(i % 60).padStart(2, '0')}:00Z`,
      access: [{ workspace: pick(WORKSPACES), partition: pick(PARTITIONS), role: admin ? 'Admin' : pick(ROLES) }, ...(rnd() < 0.3 ? [{ workspace: 'Default', partition: 'Main', role: 'Analyst' }] : [])],
      expiresAt: kind === 'access_expires' ? '2027-03-31T00:00:00Z' : null, locked: kind === 'locked', attributes: rnd() < 0.1 ? { department: pick(['Sales', 'Marketing', 'Ops']) } : {},
    };
    if (admin && forced !== 0 && ['unverified', 'invited', 'api_only', 'deactivated', 'locked', 'invalid_email', 'duplicate', 'confusable'].includes(kind)) {
      Object.assign(u, { emailVerified: true, status: 'active', apiOnly: false, locked: false, email: `${slug}@${company}`, login: `${slug}@${company}` });
    }
    if (admin) subscription.admins.push(id);
    users.push(u);
    const account = (over: Partial<ImsAccount>): ImsAccount => ({
      id: `ims-${id}-${ims.length}`, type: domain === company ? 'enterprise' : 'personal', username: u.email, domain, email: u.email, emailVerified: true,
      firstName: first, lastName: last, countryCode: pick(['US', 'DE', 'FR', 'GB', 'JP', 'IN']), status: 'active', productConfigurations: [], adminRoles: [], attributes: {}, ...over,
    });
    if (kind === 'existing_ims' || kind === 'ims_disabled' || kind === 'ims_unverified' || kind === 'claimed_elsewhere') {
      ims.push(account({
        status: kind === 'ims_disabled' ? 'disabled' : 'active',
        emailVerified: kind !== 'ims_unverified',
        type: kind === 'claimed_elsewhere' ? 'federated' : domain === company ? 'enterprise' : 'personal',
        productConfigurations: kind === 'ims_unverified' ? ['Creative Cloud - All Apps'] : kind === 'existing_ims' && rnd() < 0.5 ? ['Creative Cloud - All Apps'] : [],
      }));
    }
    // Beside an unverified account, a sign-up that never verified the address either (a squat): it reserves nothing.
    // Built without drawing random numbers, so every other user of the population stays as it was.
    if (kind === 'ims_unverified') {
      signUps.push({ ...ims[ims.length - 1]!, id: `ims-${id}-signup`, type: 'personal', emailVerified: false, username: `${u.email}#signup`, productConfigurations: [] });
    }
    if (kind === 'ambiguous') { ims.push(account({})); ims.push(account({ email: u.email.toUpperCase(), type: 'personal' })); }
    if (kind === 'identity_conflict') { u.email = `${slug}@${company}`; u.login = u.email; ims.push(account({ email: u.email, domain: company, type: 'personal' })); }
  }
  return { subscription, users, imsAccounts: [...ims, ...signUps] };
}

function ascii(s: string): string {
  return s.normalize('NFD').replace(/[^A-Za-z]/g, '') || 'user';
}

