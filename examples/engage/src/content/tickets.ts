import type { ProductTicket } from '../../../../src/ports/product-source.ts';
import type { EngageDb } from '../db/engage-db.ts';

export function listTickets(db: EngageDb, subscriptionId: string, after = '', limit = 1_000_000): ProductTicket[] {
  const tickets = db.sqlite.prepare('SELECT * FROM tickets WHERE subscription_id = ? AND id > ? ORDER BY id LIMIT ?').all(subscriptionId, after, limit) as unknown as
    { id: string; subject: string; submitter_user_id: string; status: string; created_at: string }[];
  if (tickets.length === 0) return [];
  const messages = db.sqlite.prepare(`SELECT ticket_id, author_user_id, body, created_at FROM ticket_messages
    WHERE ticket_id IN (${tickets.map(() => '?').join(',')}) ORDER BY ticket_id, created_at, id`).all(...tickets.map((t) => t.id)) as unknown as
    { ticket_id: string; author_user_id: string | null; body: string; created_at: string }[];
  const byTicket = new Map<string, ProductTicket>(tickets.map((t) => [t.id, {
    id: t.id, subject: t.subject, submitterUserId: t.submitter_user_id, status: t.status, createdAt: t.created_at, messages: [],
  }]));
  for (const m of messages) byTicket.get(m.ticket_id)!.messages.push({ authorUserId: m.author_user_id, body: m.body, at: m.created_at });
  return [...byTicket.values()];
}
