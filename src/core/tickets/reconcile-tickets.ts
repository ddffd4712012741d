/**
 * The counts that prove phase 3 lost and duplicated nothing: computed from the input and from the planned output
 * separately, then compared. The apply step adds what it found in the store (src/tickets/migrate-tickets.ts).
 */
import type { NotMigratedReason, PlannedTicket } from './planned-ticket.ts';
import { TICKET_STATUSES, type SupportTicket, type TicketStatus } from './ticket.ts';

export interface TicketReconciliation {
  ticketsIn: number;
  ticketsOut: number;
  /** Tickets attributed to their submitter's own IMS account. */
  bySubmitter: number;
  /** Tickets attributed to the fallback admin (marked `admin_fallback`). */
  byAdminFallback: number;
  /** Fallback tickets per reason. */
  byReason: Partial<Record<NotMigratedReason, number>>;
  /** Tickets per status, as read. */
  byStatus: Record<TicketStatus, number>;
  messagesIn: number;
  messagesOut: number;
  messages: { author: number; adminFallback: number; staff: number };
  /** Every ticket and message in is exactly one out, with its status unchanged. */
  reconciled: boolean;
}

export function reconcileTickets(input: readonly SupportTicket[], output: readonly PlannedTicket[]): TicketReconciliation {
  const byStatus = countStatuses(input.map((t) => t.status));
  const byReason: Partial<Record<NotMigratedReason, number>> = {};
  const messages = { author: 0, adminFallback: 0, staff: 0 };
  let bySubmitter = 0;
  let byAdminFallback = 0;
  let messagesOut = 0;
  for (const t of output) {
    if (t.reattributed === 'submitter') bySubmitter++;
    else {
      byAdminFallback++;
      if (t.reason !== undefined) byReason[t.reason] = (byReason[t.reason] ?? 0) + 1;
    }
    for (const m of t.messages) {
      messagesOut++;
      if (m.attribution === 'author') messages.author++;
      else if (m.attribution === 'staff') messages.staff++;
      else messages.adminFallback++;
    }
  }
  const messagesIn = input.reduce((n, t) => n + t.messages.length, 0);
  const outStatus = countStatuses(output.map((t) => t.status));
  const sameIds = sameIdSet(input.map((t) => t.id), output.map((t) => t.ticketId));
  const reconciled =
    sameIds && input.length === output.length && bySubmitter + byAdminFallback === output.length &&
    TICKET_STATUSES.every((s) => byStatus[s] === outStatus[s]) &&
    messagesIn === messagesOut && messages.author + messages.adminFallback + messages.staff === messagesOut;
  return { ticketsIn: input.length, ticketsOut: output.length, bySubmitter, byAdminFallback, byReason, byStatus, messagesIn, messagesOut, messages, reconciled };
}

function countStatuses(statuses: readonly TicketStatus[]): Record<TicketStatus, number> {
  const counts = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0])) as Record<TicketStatus, number>;
  for (const s of statuses) counts[s]++;
  return counts;
}

/** Same ids, each as often on both sides. */
function sameIdSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const counts = new Map<string, number>();
  for (const id of a) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const id of b) {
    const n = counts.get(id);
    if (!n) return false;
    counts.set(id, n - 1);
  }
  return true;
}
