/**
 * Seeds a demo subscription into an Engage database, deterministically: the users of
 * src/demo/generate-population.ts (every case readiness knows), reports, report subscriptions, bookmarks and email
 * templates whose links use the old URL shape, and support tickets. Same options, same data.
 *
 *   node examples/engage/seed.ts [--db .rehome/engage.db] [--base-url http://127.0.0.1:4100] [--users 300]
 */
import type { ProductUser } from '../../src/core/model.ts';
import { generatePopulation } from '../../src/population/generate-population.ts';
import { addApiCredential } from './src/auth/api-credentials.ts';
import { bit, openEngageDb, type EngageDb } from './src/db/engage-db.ts';
import { nameId, replaceAccess } from './src/users/access-writes.ts';
import { hashPassword } from './src/users/passwords.ts';

export const DEMO_PASSWORD = 'engage-demo-password';
export const apiSecretOf = (userId: string): string => `demo-api-secret-${userId}`;
export const apiClientIdOf = (userId: string): string => `api-${userId}`;

export interface SeedOptions {
  /** Origin the stored links point at: `http://127.0.0.1:<port>`. */
  baseUrl: string;
  users?: number;
  seed?: number;
  subscriptionId?: string;
  subscriptionName?: string;
  instance?: string;
  imsTenant?: string;
  /** Instant of the seed (links, tickets); default 2026-01-05T09:00:00Z so runs compare. */
  now?: Date;
}

export interface DemoLogins {
  subscriptionId: string;
  instance: string;
  users: number;
  password: string;
  admin: ProductUser;
  user: ProductUser;
  apiOnly: { user: ProductUser; clientId: string; clientSecret: string };
}

const ROLES = ['Admin', 'Standard User', 'Marketing User', 'Analyst', 'Web Designer', 'API Only'];
const WORKSPACES = ['Default', 'EMEA', 'Americas', 'APAC'];
const PARTITIONS = ['Main', 'Leads', 'Partners'];

export async function seedEngage(db: EngageDb, options: SeedOptions): Promise<DemoLogins> {
  const population = generatePopulation({ users: options.users ?? 300, seed: options.seed ?? 42, ...(options.subscriptionId ? { subscriptionId: options.subscriptionId } : {}), ...(options.subscriptionName ? { subscriptionName: options.subscriptionName } : {}) });
  const sub = population.subscription;
  const instance = options.instance ?? 'ab12';
  const now = options.now ?? new Date('2026-01-05T09:00:00Z');
  const passwordHash = await hashPassword(DEMO_PASSWORD); // one hash for every demo user: seeding stays fast
  const admins = new Set(sub.admins);
  const users = population.users;
  const old = (asset: string): string => `${options.baseUrl}/app-${instance}/#${asset}`;
  db.transaction(() => {
    db.sqlite.prepare('INSERT INTO subscriptions (id, name, instance, ims_tenant, time_zone) VALUES (?, ?, ?, ?, ?)')
      .run(sub.id, sub.name, instance, options.imsTenant ?? 'acme', sub.timeZone);
    for (const name of ROLES) nameId(db, 'roles', sub.id, name);
    for (const name of WORKSPACES) nameId(db, 'workspaces', sub.id, name);
    for (const name of PARTITIONS) nameId(db, 'partitions', sub.id, name);
    const insertUser = db.sqlite.prepare(`INSERT INTO users (id, subscription_id, login, email, email_verified, first_name, last_name, status, api_only, sso,
      is_admin, last_login, expires_at, locked, password_hash, login_mode, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const u of users) {
      insertUser.run(u.id, sub.id, u.login, u.email, bit(u.emailVerified), u.firstName, u.lastName, u.status, bit(u.apiOnly), bit(u.sso), bit(admins.has(u.id)),
        instant(u.lastLogin), instant(u.expiresAt), bit(u.locked), u.status === 'invited' ? null : passwordHash, u.apiOnly ? 'api_only' : 'legacy', JSON.stringify(u.attributes));
      replaceAccess(db, sub.id, u.id, u.apiOnly ? [{ workspace: 'Default', partition: 'Main', role: 'API Only' }] : u.access);
      if (u.apiOnly) addApiCredential(db, u.id, apiClientIdOf(u.id), apiSecretOf(u.id), now);
    }
    const reports = Array.from({ length: 40 }, (_, k) => ({ id: `RP${1200 + k * 7}A${(k % 9) + 1}`, workspace: WORKSPACES[k % WORKSPACES.length]!, name: `${['Weekly', 'Monthly', 'Quarterly', 'Campaign'][k % 4]} performance ${k + 1}` }));
    const insertReport = db.sqlite.prepare('INSERT INTO reports (id, subscription_id, workspace_id, name) VALUES (?, ?, ?, ?)');
    for (const r of reports) insertReport.run(r.id, sub.id, nameId(db, 'workspaces', sub.id, r.workspace), r.name);
    const people = users.filter((u) => !u.apiOnly && u.status !== 'invited');
    const insertSub = db.sqlite.prepare('INSERT INTO report_subscriptions (report_id, user_id, schedule, subject, body) VALUES (?, ?, ?, ?, ?)');
    const insertBookmark = db.sqlite.prepare('INSERT INTO bookmarks (user_id, title, url) VALUES (?, ?, ?)');
    people.forEach((u, i) => {
      const report = reports[i % reports.length]!;
      if (i % 3 === 0) {
        insertSub.run(report.id, u.id, ['daily 08:00', 'weekly Mon 07:00', 'monthly 1st 06:00'][i % 3]!, `${report.name} for ${u.firstName}`,
          `Hello ${u.firstName},\nyour report "${report.name}" is ready: ${old(report.id)}\nManage your subscriptions: ${old('SUB0001')}\n`);
      }
      if (i % 2 === 0) insertBookmark.run(u.id, report.name, old(report.id));
      if (i % 7 === 0) insertBookmark.run(u.id, 'Engage documentation', 'https://docs.engage.example/reports');
    });
    const insertTemplate = db.sqlite.prepare('INSERT INTO email_templates (subscription_id, name, subject, html) VALUES (?, ?, ?, ?)');
    for (let k = 0; k < 5; k++) {
      const report = reports[k * 3]!;
      insertTemplate.run(sub.id, `Template ${k + 1}`, `Your ${report.name}`,
        `<p>See <a href="${old(report.id)}">${report.name}</a> or the <a href="${old(`EM10${k}B1`)}">email program</a>.</p>`);
    }
    const insertTicket = db.sqlite.prepare('INSERT INTO tickets (id, subscription_id, subject, submitter_user_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const insertMessage = db.sqlite.prepare('INSERT INTO ticket_messages (ticket_id, author_user_id, body, created_at) VALUES (?, ?, ?, ?)');
    for (let k = 0; k < 30; k++) {
      const submitter = people[(k * 11) % people.length]!;
      const id = `T-${10001 + k}`;
      const created = new Date(now.getTime() - (30 - k) * 86_400_000);
      const report = reports[k % reports.length]!;
      insertTicket.run(id, sub.id, `${['Report is empty', 'Cannot share a program', 'Email not delivered', 'Question about partitions'][k % 4]} (${report.id})`,
        submitter.id, ['open', 'pending', 'closed'][k % 3]!, created.toISOString());
      insertMessage.run(id, submitter.id, `Please look at ${old(report.id)}`, created.toISOString());
      if (k % 2 === 0) insertMessage.run(id, null, 'Thanks, we are looking into it.', new Date(created.getTime() + 3_600_000).toISOString());
    }
  });
  const admin = users.find((u) => admins.has(u.id) && u.emailVerified && u.status === 'active' && !u.apiOnly && !u.locked)!;
  const plain = users.find((u) => !admins.has(u.id) && u.emailVerified && u.status === 'active' && !u.apiOnly && !u.sso && !u.locked && u.expiresAt === null && u.login === u.email && u.email === u.email.toLowerCase() && u.email.endsWith("@acme.example"))!;
  const api = users.find((u) => u.apiOnly)!;
  return {
    subscriptionId: sub.id, instance, users: users.length, password: DEMO_PASSWORD, admin, user: plain,
    apiOnly: { user: api, clientId: apiClientIdOf(api.id), clientSecret: apiSecretOf(api.id) },
  };
}

if (import.meta.main) {
  const { values } = (await import('node:util')).parseArgs({ options: { db: { type: 'string', default: '.rehome/engage.db' }, 'base-url': { type: 'string', default: 'http://127.0.0.1:4100' }, users: { type: 'string', default: '300' } } });
  const db = openEngageDb(values.db);
  const logins = await seedEngage(db, { baseUrl: values['base-url'], users: Number(values.users) });
  db.close();
  console.log(`seeded ${logins.users} users into ${values.db} (subscription ${logins.subscriptionId}, /app-${logins.instance}/); password: ${logins.password}`);
}

/** Stored as `toISOString()`, the form Rehome's importers produce, so every export of a user reads the same. */
function instant(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
