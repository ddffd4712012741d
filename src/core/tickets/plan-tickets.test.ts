import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planTickets, type PlanTicketsInput, type TicketPlan, type UserMigrationFacts } from './plan-tickets.ts';
import { reconcileTickets } from './reconcile-tickets.ts';
import { TICKET_STATUSES, type SupportTicket } from './ticket.ts';
import { USER_STATES } from '../migration/states.ts';

function ticket(over: Partial<SupportTicket> & { id: string; submitterUserId: string }): SupportTicket {
  return { subject: 'Export fails', status: 'open', createdAt: '2026-01-05T10:00:00.000Z', messages: [], attributes: {}, ...over };
}

const USERS: UserMigrationFacts[] = [
  { userId: 'a1', state: 'skipped', imsSubject: null },
  { userId: 'a2', state: 'migrated', imsSubject: 'ims-a2' },
  { userId: 'a3', state: 'activated', imsSubject: 'ims-a3' },
  { userId: 'u1', state: 'activated', imsSubject: 'ims-u1' },
  { userId: 'u2', state: 'migrated', imsSubject: 'ims-u2' },
  { userId: 'sk', state: 'skipped', imsSubject: null },
  { userId: 'bl', state: 'blocked', imsSubject: null },
  { userId: 'de', state: 'not_migrated', imsSubject: null },
  { userId: 'api', state: 'stays_local', imsSubject: null },
  { userId: 'fa', state: 'failed', imsSubject: null },
  { userId: 'odd', state: 'migrated', imsSubject: null },
];

function plan(tickets: SupportTicket[], over: Partial<PlanTicketsInput> = {}): TicketPlan {
  const r = planTickets({ subscriptionId: 'S1', tickets, users: USERS, admins: ['a1', 'a2', 'a3'], ...over });
  if (!r.ok) assert.fail(r.problems.map((p) => p.message).join('; '));
  return r.plan;
}

const ADMIN = { imsSubject: 'ims-a2', productUserId: 'a2' };

const cases: { name: string; submitter: string; expect: { reattributed: 'submitter' | 'admin_fallback'; imsSubject: string; reason?: string } }[] = [
  { name: 'migrated submitter keeps the ticket', submitter: 'u2', expect: { reattributed: 'submitter', imsSubject: 'ims-u2' } },
  { name: 'activated submitter keeps the ticket', submitter: 'u1', expect: { reattributed: 'submitter', imsSubject: 'ims-u1' } },
  { name: 'a migrated admin keeps their own ticket', submitter: 'a3', expect: { reattributed: 'submitter', imsSubject: 'ims-a3' } },
  { name: 'skipped submitter: first migrated admin (a1 was skipped)', submitter: 'sk', expect: { reattributed: 'admin_fallback', imsSubject: 'ims-a2', reason: 'skipped' } },
  { name: 'blocked submitter', submitter: 'bl', expect: { reattributed: 'admin_fallback', imsSubject: 'ims-a2', reason: 'blocked' } },
  { name: 'deactivated submitter', submitter: 'de', expect: { reattributed: 'admin_fallback', imsSubject: 'ims-a2', reason: 'deactivated' } },
  { name: 'API-only submitter', submitter: 'api', expect: { reattributed: 'admin_fallback', imsSubject: 'ims-a2', reason: 'api_only' } },
  { name: 'failed submitter', submitter: 'fa', expect: { reattributed: 'admin_fallback', imsSubject: 'ims-a2', reason: 'not_migrated' } },
  { name: 'migrated without a subject is not trusted', submitter: 'odd', expect: { reattributed: 'admin_fallback', imsSubject: 'ims-a2', reason: 'not_migrated' } },
  { name: 'unknown submitter', submitter: 'ghost', expect: { reattributed: 'admin_fallback', imsSubject: 'ims-a2', reason: 'unknown_user' } },
  { name: 'the skipped admin is a fallback too', submitter: 'a1', expect: { reattributed: 'admin_fallback', imsSubject: 'ims-a2', reason: 'skipped' } },
];

for (const c of cases) {
  test(`planTickets: ${c.name}`, () => {
    const [t] = plan([ticket({ id: 'T1', submitterUserId: c.submitter })]).tickets;
    assert.equal(t!.reattributed, c.expect.reattributed);
    assert.equal(t!.attributedTo.imsSubject, c.expect.imsSubject);
    assert.equal(t!.reason, c.expect.reason);
    assert.equal(t!.originalSubmitterUserId, c.submitter);
    if (c.expect.reattributed === 'admin_fallback') assert.deepEqual(t!.attributedTo, ADMIN);
  });
}

test('planTickets: messages follow their authors; staff messages stay staff', () => {
  const [t] = plan([ticket({
    id: 'T1', submitterUserId: 'u1', messages: [
      { authorUserId: 'u1', at: '2026-01-05T10:00:00.000Z', body: 'hi' },
      { authorUserId: null, at: '2026-01-05T11:00:00.000Z', body: 'support here' },
      { authorUserId: 'de', at: '2026-01-05T12:00:00.000Z', body: 'me too' },
    ],
  })]).tickets;
  assert.deepEqual(t!.messages, [
    { index: 0, attribution: 'author', attributedTo: { imsSubject: 'ims-u1', productUserId: 'u1' }, originalAuthorUserId: 'u1' },
    { index: 1, attribution: 'staff', attributedTo: null, originalAuthorUserId: null },
    { index: 2, attribution: 'admin_fallback', attributedTo: ADMIN, originalAuthorUserId: 'de', reason: 'deactivated' },
  ]);
});

test('planTickets: the reconciliation counts by attribution, reason and status', () => {
  const p = plan([
    ticket({ id: 'T1', submitterUserId: 'u1', status: 'open', messages: [{ authorUserId: null, at: '2026-01-05T10:00:00.000Z', body: '' }] }),
    ticket({ id: 'T2', submitterUserId: 'sk', status: 'solved' }),
    ticket({ id: 'T3', submitterUserId: 'de', status: 'closed', messages: [{ authorUserId: 'de', at: '2026-01-05T10:00:00.000Z', body: 'x' }] }),
    ticket({ id: 'T4', submitterUserId: 'sk', status: 'pending' }),
  ]);
  assert.deepEqual(p.reconciliation, {
    ticketsIn: 4, ticketsOut: 4, bySubmitter: 1, byAdminFallback: 3, byReason: { skipped: 2, deactivated: 1 },
    byStatus: { open: 1, pending: 1, solved: 1, closed: 1 }, messagesIn: 2, messagesOut: 2, messages: { author: 0, adminFallback: 1, staff: 1 }, reconciled: true,
  });
  assert.deepEqual(p.fallbackAdmin, ADMIN);
});

test('planTickets: no migrated admin refuses only when someone needs the fallback', () => {
  const users = USERS.map((u) => (u.userId.startsWith('a') && u.userId !== 'api' ? { ...u, state: 'skipped' as const, imsSubject: null } : u));
  assert.equal(planTickets({ subscriptionId: 'S1', tickets: [ticket({ id: 'T1', submitterUserId: 'u1' })], users, admins: ['a1', 'a2', 'a3'] }).ok, true);
  const r = planTickets({ subscriptionId: 'S1', tickets: [ticket({ id: 'T1', submitterUserId: 'u1', messages: [{ authorUserId: 'sk', at: '2026-01-05T10:00:00.000Z', body: '' }] })], users, admins: ['a1', 'a2', 'a3'] });
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.problems.map((p) => p.code), ['no_migrated_admin']);
});

test('planTickets: a ticket id twice is refused, not merged', () => {
  const r = planTickets({ subscriptionId: 'S1', tickets: [ticket({ id: 'T1', submitterUserId: 'u1' }), ticket({ id: 'T1', submitterUserId: 'u2' })], users: USERS, admins: ['a2'] });
  assert.deepEqual(!r.ok && r.problems.map((p) => p.code), ['duplicate_ticket']);
});

test('reconcileTickets: a lost or duplicated ticket does not reconcile', () => {
  const input = [ticket({ id: 'T1', submitterUserId: 'u1' }), ticket({ id: 'T2', submitterUserId: 'u2' })];
  const out = plan(input).tickets;
  assert.equal(reconcileTickets(input, out.slice(0, 1)).reconciled, false);
  assert.equal(reconcileTickets(input, [out[0]!, out[0]!]).reconciled, false);
  assert.equal(reconcileTickets(input, [out[0]!, { ...out[1]!, status: 'closed' }]).reconciled, false);
});

test('property: no ticket or message is lost or duplicated, and every one has an IMS owner', () => {
  const ids = fc.constantFrom('u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'ghost');
  const arb = fc.record({
    states: fc.array(fc.record({ state: fc.constantFrom(...USER_STATES), withSubject: fc.boolean() }), { minLength: 6, maxLength: 6 }),
    admins: fc.subarray(['u0', 'u1', 'u2', 'u3', 'u4', 'u5']),
    tickets: fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 6 }),
        submitterUserId: ids,
        status: fc.constantFrom(...TICKET_STATUSES),
        messages: fc.array(fc.record({ authorUserId: fc.option(ids), at: fc.constant('2026-01-05T10:00:00.000Z'), body: fc.string() }), { maxLength: 4 }),
      }),
      { selector: (t) => t.id, maxLength: 40 },
    ),
  });
  fc.assert(fc.property(arb, ({ states, admins, tickets: raw }) => {
    const users: UserMigrationFacts[] = states.map((s, i) => ({ userId: `u${i}`, state: s.state, imsSubject: s.withSubject ? `ims-u${i}` : null }));
    const tickets = raw.map((t) => ticket(t));
    const r = planTickets({ subscriptionId: 'S', tickets, users, admins });
    if (!r.ok) {
      // Refusing is allowed only when an orphan exists and no admin migrated.
      assert.deepEqual(r.problems.map((p) => p.code), ['no_migrated_admin']);
      assert.ok(!admins.some((a) => { const u = users.find((x) => x.userId === a); return u?.imsSubject && (u.state === 'migrated' || u.state === 'activated'); }));
      return;
    }
    const { plan: p } = r;
    assert.deepEqual(p.tickets.map((t) => t.ticketId), tickets.map((t) => t.id), 'every ticket once, in order');
    assert.equal(p.reconciliation.reconciled, true);
    assert.equal(p.reconciliation.bySubmitter + p.reconciliation.byAdminFallback, tickets.length);
    p.tickets.forEach((t, i) => {
      assert.equal(t.messages.length, tickets[i]!.messages.length);
      assert.ok(t.attributedTo.imsSubject.startsWith('ims-'));
      if (t.reattributed === 'admin_fallback') {
        assert.ok(t.reason !== undefined);
        assert.ok(admins.includes(t.attributedTo.productUserId), 'falls back to an admin');
      } else assert.equal(t.attributedTo.productUserId, t.originalSubmitterUserId);
      for (const m of t.messages) assert.equal(m.attributedTo === null, m.attribution === 'staff');
    });
  }), { numRuns: 300 });
});
