import { timingSafeEqual } from 'node:crypto';
import type { EngageDb } from '../db/engage-db.ts';
import { hashToken, newSecretToken } from './secret-token.ts';

/** API-only users' client credentials (client id + secret -> short-lived bearer token at `POST /api/token`). */
const TOKEN_SECONDS = 3600;

export function addApiCredential(db: EngageDb, userId: string, clientId: string, secret: string, now: Date): void {
  db.sqlite.prepare('INSERT OR REPLACE INTO api_credentials (client_id, user_id, secret_hash, created_at) VALUES (?, ?, ?, ?)')
    .run(clientId, userId, hashToken(secret), now.toISOString());
}

/** The user holding these credentials, or undefined (secrets are high-entropy: a SHA-256 compare is enough). */
export function checkApiCredential(db: EngageDb, clientId: string, secret: string): string | undefined {
  const row = db.sqlite.prepare('SELECT user_id, secret_hash FROM api_credentials WHERE client_id = ?').get(clientId) as { user_id: string; secret_hash: string } | undefined;
  const given = Buffer.from(hashToken(secret));
  const stored = Buffer.from(row?.secret_hash ?? hashToken('no such client'));
  return row && given.length === stored.length && timingSafeEqual(given, stored) ? row.user_id : undefined;
}

export function issueApiToken(db: EngageDb, userId: string, clientId: string, now: Date): { token: string; expiresIn: number } {
  const { token, hash } = newSecretToken();
  db.sqlite.prepare('INSERT INTO api_tokens (token_hash, user_id, client_id, expires_at) VALUES (?, ?, ?, ?)')
    .run(hash, userId, clientId, new Date(now.getTime() + TOKEN_SECONDS * 1000).toISOString());
  return { token, expiresIn: TOKEN_SECONDS };
}

export function readApiToken(db: EngageDb, token: string, now: Date): string | undefined {
  const row = db.sqlite.prepare('SELECT user_id, expires_at FROM api_tokens WHERE token_hash = ?').get(hashToken(token)) as { user_id: string; expires_at: string } | undefined;
  return row && Date.parse(row.expires_at) > now.getTime() ? row.user_id : undefined;
}
