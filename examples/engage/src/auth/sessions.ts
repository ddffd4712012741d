import type { EngageDb } from '../db/engage-db.ts';
import { hashToken, newSecretToken } from './secret-token.ts';

export type SessionKind = 'password' | 'ims';
export const SESSION_COOKIE = 'engage_session';
const SESSION_SECONDS = 8 * 3600;

export interface Session {
  userId: string;
  kind: SessionKind;
}

export function createSession(db: EngageDb, userId: string, kind: SessionKind, now: Date): string {
  const { token, hash } = newSecretToken();
  db.sqlite.prepare('INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
    .run(hash, userId, kind, now.toISOString(), new Date(now.getTime() + SESSION_SECONDS * 1000).toISOString());
  return token;
}

export function readSession(db: EngageDb, token: string | undefined, now: Date): Session | undefined {
  if (!token) return undefined;
  const row = db.sqlite.prepare('SELECT user_id, kind, expires_at FROM sessions WHERE token_hash = ?').get(hashToken(token)) as
    { user_id: string; kind: SessionKind; expires_at: string } | undefined;
  if (!row || Date.parse(row.expires_at) <= now.getTime()) return undefined;
  return { userId: row.user_id, kind: row.kind };
}

export function endSession(db: EngageDb, token: string): void {
  db.sqlite.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
}

/** The cutover's first duty: every session opened with the product's password ends now. */
export function revokePasswordSessions(db: EngageDb, userId: string): number {
  return Number(db.sqlite.prepare(`DELETE FROM sessions WHERE user_id = ? AND kind = 'password'`).run(userId).changes);
}

export function sessionCookie(token: string): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_SECONDS}`;
}
export const clearSessionCookie = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
