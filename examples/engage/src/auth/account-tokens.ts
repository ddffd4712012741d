import type { EngageDb } from '../db/engage-db.ts';
import { hashToken, newSecretToken } from './secret-token.ts';

/** Mailed one-time tokens: password reset and email change. Both are dropped at a user's cutover. */
export type AccountTokenPurpose = 'password_reset' | 'email_change';
const LIFETIME_SECONDS: Record<AccountTokenPurpose, number> = { password_reset: 3600, email_change: 24 * 3600 };

export function issueAccountToken(db: EngageDb, userId: string, purpose: AccountTokenPurpose, now: Date, newEmail: string | null = null): string {
  const { token, hash } = newSecretToken();
  db.sqlite.prepare('INSERT INTO account_tokens (token_hash, user_id, purpose, new_email, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(hash, userId, purpose, newEmail, now.toISOString(), new Date(now.getTime() + LIFETIME_SECONDS[purpose] * 1000).toISOString());
  return token;
}

/** Uses a token up (single use). Undefined when unknown, used, dropped or expired. */
export function consumeAccountToken(db: EngageDb, token: string, purpose: AccountTokenPurpose, now: Date): { userId: string; newEmail: string | null } | undefined {
  return db.transaction(() => {
    const hash = hashToken(token);
    const row = db.sqlite.prepare('SELECT user_id, new_email, expires_at FROM account_tokens WHERE token_hash = ? AND purpose = ?').get(hash, purpose) as
      { user_id: string; new_email: string | null; expires_at: string } | undefined;
    if (!row) return undefined;
    db.sqlite.prepare('DELETE FROM account_tokens WHERE token_hash = ?').run(hash);
    return Date.parse(row.expires_at) > now.getTime() ? { userId: row.user_id, newEmail: row.new_email } : undefined;
  });
}

export function dropAccountTokens(db: EngageDb, userId: string): number {
  return Number(db.sqlite.prepare('DELETE FROM account_tokens WHERE user_id = ?').run(userId).changes);
}

export function countAccountTokens(db: EngageDb, userId: string): number {
  return (db.sqlite.prepare('SELECT count(*) AS n FROM account_tokens WHERE user_id = ?').get(userId) as { n: number }).n;
}
