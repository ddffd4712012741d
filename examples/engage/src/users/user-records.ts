import type { AccessGrant, ProductUser } from '../../../../src/core/model.ts';
import type { LoginMode } from 'rehome/product-kit';
import type { EngageDb } from '../db/engage-db.ts';

/** A user as Engage holds it: the exported shape plus what only the product needs. */
export interface EngageUser extends ProductUser {
  subscriptionId: string;
  isAdmin: boolean;
  loginMode: LoginMode;
  passwordHash: string | null;
}

interface UserRow {
  id: string;
  subscription_id: string;
  login: string;
  email: string;
  email_verified: number;
  first_name: string;
  last_name: string;
  status: ProductUser['status'];
  api_only: number;
  sso: number;
  is_admin: number;
  last_login: string | null;
  expires_at: string | null;
  locked: number;
  password_hash: string | null;
  login_mode: LoginMode;
  attributes: string;
}

function toUser(row: UserRow, access: AccessGrant[]): EngageUser {
  return {
    id: row.id, login: row.login, email: row.email, emailVerified: row.email_verified === 1,
    firstName: row.first_name, lastName: row.last_name, status: row.status, apiOnly: row.api_only === 1, sso: row.sso === 1,
    lastLogin: row.last_login, access, expiresAt: row.expires_at, locked: row.locked === 1,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    subscriptionId: row.subscription_id, isAdmin: row.is_admin === 1, loginMode: row.login_mode, passwordHash: row.password_hash,
  };
}

/** The exported shape only (no hash, no product-internal fields). */
export function toProductUser(user: EngageUser): ProductUser {
  const { subscriptionId: _s, isAdmin: _a, loginMode: _m, passwordHash: _p, ...exported } = user;
  return exported;
}

const ACCESS_SQL = `SELECT a.user_id, w.name AS workspace, p.name AS partition, r.name AS role
  FROM user_access a JOIN workspaces w ON w.id = a.workspace_id JOIN partitions p ON p.id = a.partition_id JOIN roles r ON r.id = a.role_id`;

export function accessOf(db: EngageDb, userIds: string[]): Map<string, AccessGrant[]> {
  const out = new Map<string, AccessGrant[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return out;
  const rows = db.sqlite.prepare(`${ACCESS_SQL} WHERE a.user_id IN (${userIds.map(() => '?').join(',')}) ORDER BY a.user_id, w.name, p.name, r.name`)
    .all(...userIds) as unknown as { user_id: string; workspace: string; partition: string; role: string }[];
  for (const r of rows) out.get(r.user_id)!.push({ workspace: r.workspace, partition: r.partition, role: r.role });
  return out;
}

export function getUser(db: EngageDb, id: string): EngageUser | undefined {
  const row = db.sqlite.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  return row ? toUser(row, accessOf(db, [row.id]).get(row.id)!) : undefined;
}

/** The login typed at the sign-in page; case-insensitive unless two logins differ only by case (then exact). */
export function findUserByLogin(db: EngageDb, subscriptionId: string, login: string): EngageUser | undefined {
  const rows = db.sqlite.prepare('SELECT * FROM users WHERE subscription_id = ? AND login = ? COLLATE NOCASE').all(subscriptionId, login.trim()) as unknown as UserRow[];
  const row = rows.length === 1 ? rows[0] : rows.find((r) => r.login === login.trim());
  return row ? toUser(row, accessOf(db, [row.id]).get(row.id)!) : undefined;
}

/** One page of a subscription's users, ordered by id (keyset paging: `after` is the last id of the previous page). */
export function listUsersPage(db: EngageDb, subscriptionId: string, after: string, limit: number): EngageUser[] {
  const rows = db.sqlite.prepare('SELECT * FROM users WHERE subscription_id = ? AND id > ? ORDER BY id LIMIT ?').all(subscriptionId, after, limit) as unknown as UserRow[];
  const access = accessOf(db, rows.map((r) => r.id));
  return rows.map((r) => toUser(r, access.get(r.id)!));
}

export function listAllUsers(db: EngageDb, subscriptionId: string): EngageUser[] {
  const out: EngageUser[] = [];
  for (let page = listUsersPage(db, subscriptionId, '', 500); page.length > 0; page = listUsersPage(db, subscriptionId, page.at(-1)!.id, 500)) out.push(...page);
  return out;
}

/** "Ada Lovelace <ada@acme.example>" for each active admin: who to ask. */
export function adminContacts(db: EngageDb, subscriptionId: string): string[] {
  const rows = db.sqlite.prepare(`SELECT first_name, last_name, email FROM users WHERE subscription_id = ? AND is_admin = 1 AND status = 'active' AND api_only = 0 ORDER BY id LIMIT 5`)
    .all(subscriptionId) as unknown as { first_name: string; last_name: string; email: string }[];
  return rows.map((r) => `${`${r.first_name} ${r.last_name}`.trim()} <${r.email}>`);
}

export function setLoginMode(db: EngageDb, userId: string, mode: LoginMode): boolean {
  return Number(db.sqlite.prepare('UPDATE users SET login_mode = ? WHERE id = ?').run(mode, userId).changes) === 1;
}

export function recordLastLogin(db: EngageDb, userId: string, at: string): void {
  db.sqlite.prepare('UPDATE users SET last_login = ? WHERE id = ?').run(at, userId);
}

/** Locked, or past its access-expiry date. */
export function isLockedNow(user: EngageUser, now: Date): boolean {
  return user.locked || (user.expiresAt !== null && Date.parse(user.expiresAt) <= now.getTime());
}
