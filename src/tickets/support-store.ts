/**
 * Reads and writes of the IMS-side support store (./support-schema.ts). A ticket and its messages are written in
 * the caller's transaction, so a ticket row always has all its messages; a ticket already stored is left as it is
 * (the key is subscription + product ticket id), which makes a repeated or resumed run a no-op for it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { SupportTicket } from '../core/tickets/ticket.ts';
import type { PlannedTicket } from '../core/tickets/plan-tickets.ts';
import type { SupportTables } from './support-schema.ts';

type SupportDb = Kysely<SupportTables> | Transaction<SupportTables>;

/** Rows per insert statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_INSERT = 500;

/**
 * Inserts the tickets of `batch` (with their messages) that are not stored yet and returns how many were new. The
 * caller leaves out tickets it knows are stored; `do nothing` on the key covers the rest (a second process moving
 * the same file at the same time), and messages are written only for the tickets this insert created.
 */
export async function insertTickets(
  tx: Transaction<SupportTables>, ctx: { subscriptionId: string; orgId: string | null; at: string }, batch: readonly { ticket: SupportTicket; planned: PlannedTicket }[],
): Promise<number> {
  const created = new Set<string>();
  for (let i = 0; i < batch.length; i += ROWS_PER_INSERT) {
    const rows: SupportTables['ims_support_tickets'][] = batch.slice(i, i + ROWS_PER_INSERT).map(({ ticket: t, planned: p }) => ({
      subscription_id: ctx.subscriptionId, product_ticket_id: t.id, org_id: ctx.orgId, subject: t.subject, status: t.status, created_at: t.createdAt,
      requester_subject: p.attributedTo.imsSubject, requester_user_id: p.attributedTo.productUserId, submitter_user_id: t.submitterUserId,
      attribution: p.reattributed, reason: p.reason ?? null, attributes: JSON.stringify(t.attributes), message_count: t.messages.length, migrated_at: ctx.at,
    }));
    const inserted = await tx.insertInto('ims_support_tickets').values(rows)
      .onConflict((oc) => oc.columns(['subscription_id', 'product_ticket_id']).doNothing()).returning('product_ticket_id').execute();
    for (const r of inserted) created.add(r.product_ticket_id);
  }
  const messages: SupportTables['ims_support_messages'][] = batch.filter((b) => created.has(b.ticket.id)).flatMap(({ ticket: t, planned: p }) => p.messages.map((m) => ({
    subscription_id: ctx.subscriptionId, product_ticket_id: t.id, seq: m.index, attribution: m.attribution,
    author_subject: m.attributedTo?.imsSubject ?? null, author_user_id: m.attributedTo?.productUserId ?? null, original_author_user_id: m.originalAuthorUserId,
    reason: m.reason ?? null, body: t.messages[m.index]!.body, at: t.messages[m.index]!.at,
  })));
  for (let i = 0; i < messages.length; i += ROWS_PER_INSERT) {
    await tx.insertInto('ims_support_messages').values(messages.slice(i, i + ROWS_PER_INSERT)).execute();
  }
  return created.size;
}

/** Stored messages per ticket of the subscription (tickets without messages are absent). */
export async function storedMessageCounts(db: SupportDb, subscriptionId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('ims_support_messages').select(['product_ticket_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('subscription_id', '=', subscriptionId).groupBy('product_ticket_id').execute();
  return new Map(rows.map((r) => [r.product_ticket_id, Number(r.n)]));
}

/** Every stored ticket id of the subscription. */
export async function allStoredTicketIds(db: SupportDb, subscriptionId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('ims_support_tickets').select('product_ticket_id').where('subscription_id', '=', subscriptionId).execute();
  return new Set(rows.map((r) => r.product_ticket_id));
}
