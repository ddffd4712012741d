/**
 * Phase 3: moves the product's support tickets into the IMS-side support store, re-attributed by the pure plan
 * (src/core/tickets/plan-tickets.ts), then proves the move by counting what the store holds.
 *
 * Crash safety: tickets are written in batches, each batch (tickets and their messages) in one transaction, and a
 * ticket already stored is skipped, so a run killed at any point resumes without a duplicate. Only when every
 * ticket and message is found in the store does the subscription move `confirmed -> support_migrated -> done`,
 * in the same transaction as the report and its audit row. A later run (a corrected file, late tickets) adds
 * what is missing and reports again; it never rewrites a stored ticket.
 */
import type { Kysely, Transaction } from 'kysely';
import { planTickets, type IdentityRef, type NotMigratedReason } from '../core/tickets/plan-tickets.ts';
import type { TicketReconciliation } from '../core/tickets/reconcile-tickets.ts';
import type { SupportTicket } from '../core/tickets/ticket.ts';
import type { SubscriptionState, UserState } from '../core/migration/states.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import { MigrationError } from '../engine/migration-error.ts';
import { auditIn, migrationDb, requireMigration, transitionSubscription, type SubscriptionMigration } from '../engine/migration-repo.ts';
import type { SupportTables } from './support-schema.ts';
import { allStoredTicketIds, insertTickets, storedMessageCounts } from './support-store.ts';

export interface MigrateTicketsContext extends Pick<EnginePorts, 'db' | 'now' | 'actor' | 'onEvent'> {
  /** Called after each committed batch (a progress bar; tests use it to stop a run mid-way). */
  onBatch?: (done: number, total: number) => void;
}

export interface MigrateTicketsInput {
  subscriptionId: string;
  tickets: readonly SupportTicket[];
  /** Where the tickets came from (a file name), for the stored report. */
  source?: string;
  /** Plan and count only: nothing is written, no state changes. */
  dryRun?: boolean;
  /** Tickets per transaction (default 200). */
  batchSize?: number;
}

export interface TicketMigrationReport {
  subscriptionId: string;
  dryRun: boolean;
  /** The subscription migration's state after the run. */
  state: SubscriptionState;
  fallbackAdmin: IdentityRef | null;
  reconciliation: TicketReconciliation;
  /** Tickets written by this run (a dry run: 0). */
  moved: number;
  /** Tickets of the file found already stored before this run wrote anything (a resumed or repeated run). */
  alreadyPresent: number;
  /** Tickets and messages of the file found in the store afterwards. */
  stored: { tickets: number; messages: number };
  /** The tickets given to an admin, marked with why. */
  fallbacks: { ticketId: string; originalSubmitterUserId: string; reason: NotMigratedReason; attributedToUserId: string }[];
  /** In = planned = stored (a dry run: in = planned). */
  reconciled: boolean;
}

const MOVABLE: ReadonlySet<SubscriptionState> = new Set(['confirmed', 'support_migrated', 'done']);

export async function migrateTickets(ctx: MigrateTicketsContext, input: MigrateTicketsInput): Promise<TicketMigrationReport> {
  const db = migrationDb(ctx.db);
  const support = ctx.db as Kysely<SupportTables>;
  const { subscriptionId } = input;
  const m = await requireMigration(db, subscriptionId);
  rejectUnconfirmed(m);
  const users = await db.selectFrom('mig_users').select(['user_id', 'state', 'ims_subject', 'admin']).where('subscription_id', '=', subscriptionId).execute();
  const admins = users.filter((u) => Number(u.admin) === 1).map((u) => u.user_id);
  const result = planTickets({
    subscriptionId, tickets: input.tickets, admins,
    users: users.map((u) => ({ userId: u.user_id, state: u.state as UserState, imsSubject: u.ims_subject })),
  });
  if (!result.ok) {
    const code = result.problems.some((p) => p.code === 'no_migrated_admin') ? 'prerequisite_missing' : 'plan_invalid';
    throw new MigrationError(code, result.problems.map((p) => p.message).join('; '));
  }
  const { plan } = result;
  const before = await allStoredTicketIds(support, subscriptionId);
  const alreadyPresent = input.tickets.filter((t) => before.has(t.id)).length;
  const fallbacks = plan.tickets.filter((t) => t.reattributed === 'admin_fallback')
    .map((t) => ({ ticketId: t.ticketId, originalSubmitterUserId: t.originalSubmitterUserId, reason: t.reason!, attributedToUserId: t.attributedTo.productUserId }));
  const base = { subscriptionId, fallbackAdmin: plan.fallbackAdmin, reconciliation: plan.reconciliation, alreadyPresent, fallbacks };

  if (input.dryRun) {
    const counts = await storedMessageCounts(support, subscriptionId);
    return { ...base, dryRun: true, state: m.state, moved: 0, stored: countStored(input.tickets, before, counts), reconciled: plan.reconciliation.reconciled };
  }

  ctx.onEvent?.({ type: 'phase:started', phase: 'support', subscriptionId });
  const size = Math.max(1, input.batchSize ?? 200);
  let moved = 0;
  const todo = input.tickets.map((ticket, i) => ({ ticket, planned: plan.tickets[i]! })).filter((b) => !before.has(b.ticket.id));
  for (let i = 0; i < todo.length; i += size) {
    const at = ctx.now().toISOString();
    moved += await support.transaction().execute((tx) => insertTickets(tx, { subscriptionId, orgId: m.org_id, at }, todo.slice(i, i + size)));
    ctx.onBatch?.(alreadyPresent + Math.min(i + size, todo.length), input.tickets.length);
  }

  const stored = countStored(input.tickets, await allStoredTicketIds(support, subscriptionId), await storedMessageCounts(support, subscriptionId));
  const reconciled = plan.reconciliation.reconciled && stored.tickets === plan.reconciliation.ticketsIn && stored.messages === plan.reconciliation.messagesIn;
  const report = { ...base, dryRun: false, moved, stored, reconciled };
  const state = await db.transaction().execute(async (tx) => {
    const at = ctx.now().toISOString();
    const fresh = await requireMigration(tx, subscriptionId);
    rejectUnconfirmed(fresh);
    await (tx as unknown as Transaction<SupportTables>).insertInto('mig_ticket_reports').values({
      subscription_id: subscriptionId, at, actor: ctx.actor, source: input.source ?? null, reconciled: reconciled ? 1 : 0, report: JSON.stringify({ ...report, state: fresh.state }),
    } as never).execute();
    await auditIn(tx, { at, actor: ctx.actor, action: 'tickets:migrated', subscriptionId, details: auditCounts(report) });
    if (!reconciled) return fresh.state;
    let m2 = fresh;
    if (m2.state === 'confirmed') m2 = await transitionSubscription(tx, m2, 'support_done', { at, actor: ctx.actor, details: { tickets: stored.tickets } });
    if (m2.state === 'support_migrated') m2 = await transitionSubscription(tx, m2, 'finish', { at, actor: ctx.actor });
    return m2.state;
  });
  return { ...report, state };
}

function rejectUnconfirmed(m: SubscriptionMigration): void {
  if (MOVABLE.has(m.state)) return;
  throw new MigrationError('transition_refused', `subscription ${m.subscription_id} is ${m.state}: support tickets move only after the admin confirms the user migration (rehome confirm --subscription ${m.subscription_id} --yes), so that every ticket finds its owner's IMS account`);
}

/** Tickets of the file found in the store, and their messages (a stored ticket always has all of its own). */
function countStored(tickets: readonly SupportTicket[], ids: ReadonlySet<string>, messages: ReadonlyMap<string, number>): { tickets: number; messages: number } {
  let t = 0;
  let n = 0;
  for (const ticket of tickets) {
    if (!ids.has(ticket.id)) continue;
    t++;
    n += Math.min(messages.get(ticket.id) ?? 0, ticket.messages.length);
  }
  return { tickets: t, messages: n };
}

/** Counts only: no ticket subjects, bodies or people in the audit log. */
function auditCounts(r: Omit<TicketMigrationReport, 'state'>): Record<string, unknown> {
  const c = r.reconciliation;
  return {
    ticketsIn: c.ticketsIn, moved: r.moved, alreadyPresent: r.alreadyPresent, storedTickets: r.stored.tickets, bySubmitter: c.bySubmitter,
    byAdminFallback: c.byAdminFallback, byReason: c.byReason, byStatus: c.byStatus, messagesIn: c.messagesIn, storedMessages: r.stored.messages,
    reconciled: r.reconciled,
  };
}
