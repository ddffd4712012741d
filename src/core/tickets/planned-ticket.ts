import type { TicketStatus } from './ticket.ts';

/** Why a ticket or message went to the fallback admin (stable codes: docs/support-tickets.md). */
export type NotMigratedReason =
  | 'unknown_user' // the product user id is not in this subscription's migration
  | 'skipped' // an admin skipped the user (blocked or unverified users are skipped before confirmation)
  | 'blocked' // still blocked (only before confirmation; kept for completeness)
  | 'deactivated' // deactivated or locked in the product: never migrated
  | 'api_only' // API-only users keep product credentials and have no IMS account
  | 'not_migrated'; // any other state without an IMS account

export interface IdentityRef {
  imsSubject: string;
  productUserId: string;
}

export interface PlannedMessage {
  index: number;
  /** `author`: the author's own IMS account; `staff`: the product's support staff (no account). */
  attribution: 'author' | 'admin_fallback' | 'staff';
  attributedTo: IdentityRef | null;
  originalAuthorUserId: string | null;
  reason?: NotMigratedReason;
}

export interface PlannedTicket {
  ticketId: string;
  status: TicketStatus;
  attributedTo: IdentityRef;
  reattributed: 'submitter' | 'admin_fallback';
  reason?: NotMigratedReason;
  originalSubmitterUserId: string;
  messages: PlannedMessage[];
}
