import type { EngageDb } from '../db/engage-db.ts';

export interface OutboxMail {
  to: string;
  subject: string;
  body: string;
  createdAt: string;
}

export function queueMail(db: EngageDb, mail: OutboxMail): void {
  db.sqlite.prepare('INSERT INTO outbox (to_address, subject, body, created_at) VALUES (?, ?, ?, ?)').run(mail.to, mail.subject, mail.body, mail.createdAt);
}

export function listMail(db: EngageDb, to: string): OutboxMail[] {
  return (db.sqlite.prepare('SELECT to_address, subject, body, created_at FROM outbox WHERE to_address = ? ORDER BY id').all(to) as unknown as
    { to_address: string; subject: string; body: string; created_at: string }[]).map((r) => ({ to: r.to_address, subject: r.subject, body: r.body, createdAt: r.created_at }));
}
