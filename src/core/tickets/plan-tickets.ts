/**
 * Phase 3 as data: who each ticket (and each message) belongs to on the IMS side. A ticket follows its submitter
 * to their IMS account when they migrated; otherwise it goes to the subscription's fallback admin (the first
 * admin, in subscription order, who migrated) and is marked `admin_fallback` with the reason, so the admin can
 * see why it landed with them. Nothing is dropped: every ticket in is one ticket out, and the reconciliation
 * (./reconcile-tickets.ts) proves it.
 */
import { MIGRATED_STATES, type UserState } from '../migration/states.ts';
import { reconcileTickets, type TicketReconciliation } from './reconcile-tickets.ts';
import type { SupportTicket } from './ticket.ts';
import type { IdentityRef, NotMigratedReason, PlannedMessage, PlannedTicket } from './planned-ticket.ts';

export type { IdentityRef, NotMigratedReason, PlannedMessage, PlannedTicket } from './planned-ticket.ts';

export const NOT_MIGRATED_REASONS: readonly NotMigratedReason[] = ['skipped', 'blocked', 'deactivated', 'api_only', 'not_migrated', 'unknown_user'];

export interface UserMigrationFacts {
  userId: string;
  state: UserState;
  /** The IMS account (OpenID Connect `sub`) once migrated. */
  imsSubject: string | null;
}

export interface PlanTicketsInput {
  subscriptionId: string;
  tickets: readonly SupportTicket[];
  users: readonly UserMigrationFacts[];
  /** The subscription's admins, in the subscription's order; the first migrated one takes the orphans. */
  admins: readonly string[];
}


export interface TicketPlan {
  subscriptionId: string;
  fallbackAdmin: IdentityRef | null;
  /** In input order. */
  tickets: PlannedTicket[];
  reconciliation: TicketReconciliation;
}

export type TicketPlanProblem =
  | { code: 'duplicate_ticket'; ticketId: string; message: string }
  | { code: 'no_migrated_admin'; message: string };

export type TicketPlanResult = { ok: true; plan: TicketPlan } | { ok: false; problems: TicketPlanProblem[] };

type Resolved = { kind: 'own'; ref: IdentityRef } | { kind: 'fallback'; reason: NotMigratedReason };

/** Pure: the same input gives the same plan. Refuses (with problems) rather than drop or guess. */
export function planTickets(input: PlanTicketsInput): TicketPlanResult {
  const byId = new Map(input.users.map((u) => [u.userId, u]));
  const resolve = (userId: string): Resolved => resolveUser(byId.get(userId));
  const fallbackAdmin = findFallbackAdmin(input.admins, byId);
  const problems: TicketPlanProblem[] = [...rejectDuplicateTickets(input.tickets)];
  const tickets: PlannedTicket[] = [];
  let orphans = 0;
  for (const t of input.tickets) {
    const submitter = resolve(t.submitterUserId);
    const messages = t.messages.map((m, index): PlannedMessage => {
      if (m.authorUserId === null) return { index, attribution: 'staff', attributedTo: null, originalAuthorUserId: null };
      const author = resolve(m.authorUserId);
      if (author.kind === 'own') return { index, attribution: 'author', attributedTo: author.ref, originalAuthorUserId: m.authorUserId };
      orphans++;
      return { index, attribution: 'admin_fallback', attributedTo: fallbackAdmin, originalAuthorUserId: m.authorUserId, reason: author.reason };
    });
    const base = { ticketId: t.id, status: t.status, originalSubmitterUserId: t.submitterUserId, messages };
    if (submitter.kind === 'own') {
      tickets.push({ ...base, attributedTo: submitter.ref, reattributed: 'submitter' });
    } else {
      orphans++;
      // `fallbackAdmin` is null only when a problem is reported below; the plan is then not returned.
      tickets.push({ ...base, attributedTo: fallbackAdmin as IdentityRef, reattributed: 'admin_fallback', reason: submitter.reason });
    }
  }
  if (orphans > 0 && fallbackAdmin === null) {
    problems.push({
      code: 'no_migrated_admin',
      message: `${orphans} tickets or messages belong to people who did not migrate, and no admin of subscription ${input.subscriptionId} has migrated to take them: migrate an admin first (admins: ${input.admins.join(', ') || 'none'})`,
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, plan: { subscriptionId: input.subscriptionId, fallbackAdmin, tickets, reconciliation: reconcileTickets(input.tickets, tickets) } };
}

function resolveUser(u: UserMigrationFacts | undefined): Resolved {
  if (u === undefined) return { kind: 'fallback', reason: 'unknown_user' };
  if (MIGRATED_STATES.has(u.state) && u.imsSubject !== null) return { kind: 'own', ref: { imsSubject: u.imsSubject, productUserId: u.userId } };
  return { kind: 'fallback', reason: reasonOf(u.state) };
}

function reasonOf(state: UserState): NotMigratedReason {
  switch (state) {
    case 'skipped': return 'skipped';
    case 'blocked': return 'blocked';
    case 'not_migrated': return 'deactivated';
    case 'stays_local': return 'api_only';
    default: return 'not_migrated';
  }
}

function findFallbackAdmin(admins: readonly string[], byId: ReadonlyMap<string, UserMigrationFacts>): IdentityRef | null {
  for (const id of admins) {
    const r = resolveUser(byId.get(id));
    if (r.kind === 'own') return r.ref;
  }
  return null;
}

function rejectDuplicateTickets(tickets: readonly SupportTicket[]): TicketPlanProblem[] {
  const seen = new Set<string>();
  const problems: TicketPlanProblem[] = [];
  for (const t of tickets) {
    if (seen.has(t.id)) problems.push({ code: 'duplicate_ticket', ticketId: t.id, message: `ticket ${t.id} appears twice: each ticket moves once` });
    seen.add(t.id);
  }
  return problems;
}
