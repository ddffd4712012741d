/**
 * A product's support ticket as Rehome reads it (src/importers/tickets.ts) and moves it (phase 3). Ids are the
 * product's; people are named by product user id only, so a ticket file never needs an address.
 */

export type TicketStatus = 'open' | 'pending' | 'solved' | 'closed';

export const TICKET_STATUSES: readonly TicketStatus[] = ['open', 'pending', 'solved', 'closed'];

export interface SupportTicketMessage {
  /** Product user id of the author, or null for the product's support staff. */
  authorUserId: string | null;
  /** ISO-8601 instant, normalised (`YYYY-MM-DDTHH:mm:ss.sssZ`). */
  at: string;
  body: string;
}

export interface SupportTicket {
  id: string;
  subject: string;
  /** Product user id of the person who opened the ticket. */
  submitterUserId: string;
  status: TicketStatus;
  /** ISO-8601 instant, normalised. */
  createdAt: string;
  /** In the order the product gave them; the index is the message's key. */
  messages: SupportTicketMessage[];
  /** Columns or keys this format does not define, kept as written so nothing is dropped. */
  attributes: Record<string, string>;
}
