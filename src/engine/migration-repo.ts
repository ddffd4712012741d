import type { Kysely, Transaction } from 'kysely';
import type { MigrationPlan, PlannedUser } from '../core/migration/plan.ts';
import { nextSubscriptionState, nextUserState, type SubscriptionEvent, type SubscriptionState, type UserEvent, type UserState } from '../core/migration/states.ts';
import type { MigrationTables } from './migration-schema.ts';
import type { StatusTables } from './status-schema.ts';
import { MigrationError } from './migration-error.ts';

export type MigrationDb = Kysely<MigrationTables & AuditTable>;
export type MigrationTx = Transaction<MigrationTables & AuditTable>;
type AuditTable = { audit_log: { seq: number; at: string; actor: string; action: string; subscription_id: string | null; target: string | null; details: string } };

export type SubscriptionMigration = MigrationTables['mig_subscriptions'] & { state: SubscriptionState };
export type UserMigration = MigrationTables['mig_users'] & { state: UserState };

/** Appends an audit entry inside the caller's transaction: a state change and its audit row commit together. */
export async function auditIn(tx: MigrationTx | MigrationDb, entry: { at: string; actor: string; action: string; subscriptionId: string | null; target?: string | null; details?: Record<string, unknown> }): Promise<void> {
  await tx.insertInto('audit_log').values({
    at: entry.at, actor: entry.actor, action: entry.action, subscription_id: entry.subscriptionId, target: entry.target ?? null,
    details: JSON.stringify(entry.details ?? {}),
  } as never).execute();
}

export function migrationDb(kysely: Kysely<any>): MigrationDb {
  return kysely as MigrationDb;
}

/** The migration with its stored plan (a million-user plan is hundreds of MB: prefer getMigrationSummary). */
export async function getMigration(db: MigrationDb | MigrationTx, subscriptionId: string): Promise<SubscriptionMigration | undefined> {
  const m = (await db.selectFrom('mig_subscriptions').selectAll().where('subscription_id', '=', subscriptionId).executeTakeFirst()) as SubscriptionMigration | undefined;
  return m ? { ...m, plan: await readStoredPlan(db, subscriptionId) } : undefined;
}

/** The stored plan's JSON (migration 0017 keeps it apart from the migration row). */
export async function readStoredPlan(db: MigrationDb | MigrationTx, subscriptionId: string): Promise<string> {
  const row = await db.selectFrom('mig_plans').select('plan').where('subscription_id', '=', subscriptionId).executeTakeFirst();
  return row?.plan ?? '';
}

/**
 * The few plan-wide facts that requests need (a verification link's page, a schedule, a comms run), stored beside
 * the plan so that none of them parses hundreds of MB of JSON.
 */
export type PlanFacts = Pick<MigrationPlan, 'subscriptionName' | 'timeZone' | 'passwordStrategy' | 'prerequisites' | 'counts'>;

export function planFactsOf(plan: MigrationPlan): PlanFacts {
  return { subscriptionName: plan.subscriptionName, timeZone: plan.timeZone, passwordStrategy: plan.passwordStrategy, prerequisites: plan.prerequisites, counts: plan.counts };
}

export async function readPlanFacts(db: MigrationDb | MigrationTx, subscriptionId: string): Promise<PlanFacts | undefined> {
  const row = await db.selectFrom('mig_plans').select('facts').where('subscription_id', '=', subscriptionId).executeTakeFirst();
  return row ? JSON.parse(row.facts) as PlanFacts : undefined;
}

export async function requirePlanFacts(db: MigrationDb | MigrationTx, subscriptionId: string): Promise<PlanFacts> {
  const facts = await readPlanFacts(db, subscriptionId);
  if (!facts) throw new MigrationError('migration_not_found', `no migration for subscription ${subscriptionId}: run rehome migrate --plan first`);
  return facts;
}

/** Stores a (re)plan and its facts; the migration row's own `plan` column stays empty. */
export async function writeStoredPlan(tx: MigrationTx, subscriptionId: string, plan: MigrationPlan): Promise<void> {
  const row = { plan: JSON.stringify(plan), facts: JSON.stringify(planFactsOf(plan)) };
  await tx.insertInto('mig_plans').values({ subscription_id: subscriptionId, ...row })
    .onConflict((oc) => oc.column('subscription_id').doUpdateSet(row)).execute();
}

export async function requireMigration(db: MigrationDb | MigrationTx, subscriptionId: string): Promise<SubscriptionMigration> {
  const m = await getMigration(db, subscriptionId);
  if (!m) throw new MigrationError('migration_not_found', `no migration for subscription ${subscriptionId}: run rehome migrate --plan first`);
  return m;
}

export function readPlan(m: SubscriptionMigration): MigrationPlan {
  return JSON.parse(m.plan) as MigrationPlan;
}

/** Registers a plan: the subscription row and every planned user, in one transaction. */
export async function insertMigration(db: MigrationDb, plan: MigrationPlan, at: string, actor: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('mig_subscriptions').values({
      subscription_id: plan.subscriptionId, state: 'not_started', plan: '', snapshot_id: plan.snapshotId,
      snapshot_digest: plan.snapshotDigest, mode: plan.mode, org_id: null, profile_id: null, consent_by: null, consent_at: null,
      migration_date: null, starts_at: null, extensions: 0, window_expires_at: null, confirmed_at: null, created_at: at, updated_at: at,
    }).execute();
    await writeStoredPlan(tx, plan.subscriptionId, plan);
    await insertUsers(tx, plan, at);
    await auditIn(tx, { at, actor, action: 'migration:planned', subscriptionId: plan.subscriptionId, target: plan.snapshotId, details: { counts: plan.counts, mode: plan.mode, passwordStrategy: plan.passwordStrategy } });
  });
}

/** Inserts the plan's users and their readiness reason codes (the console shows and filters by them). */
export async function insertUsers(tx: MigrationTx, plan: MigrationPlan, at: string): Promise<void> {
  for (let i = 0; i < plan.users.length; i += 500) {
    await tx.insertInto('mig_users').values(plan.users.slice(i, i + 500).map((u) => userRow(plan.subscriptionId, u, at))).execute();
  }
  const reasons = plan.users.flatMap((u) => [...new Set(u.reasons)].map((reason) => ({ subscription_id: plan.subscriptionId, user_id: u.userId, reason })));
  const status = tx as unknown as Transaction<StatusTables>;
  for (let i = 0; i < reasons.length; i += 1000) {
    await status.insertInto('mig_user_reasons').values(reasons.slice(i, i + 1000)).onConflict((oc) => oc.doNothing()).execute();
  }
}

function userRow(subscriptionId: string, u: PlannedUser, at: string): MigrationTables['mig_users'] {
  return {
    subscription_id: subscriptionId, user_id: u.userId, state: u.initialState, action: u.action, admin: u.admin ? 1 : 0,
    email: u.email, normalized_email: u.normalizedEmail, first_name: u.firstName, last_name: u.lastName, account_type: u.accountType,
    planned_account_id: u.imsAccountId,
    ims_subject: null, attempt: 0, error_code: null, error_message: null, retryable: 0, skip_reason: null, scheduled_for: null,
    lease_owner: null, lease_until: null, updated_at: at,
  };
}

/** Moves the subscription migration through its state machine, audited in the same transaction. */
export async function transitionSubscription<M extends Pick<SubscriptionMigration, 'subscription_id' | 'state'>>(
  tx: MigrationTx, m: M, event: SubscriptionEvent, ctx: { at: string; actor: string; details?: Record<string, unknown>; patch?: Partial<MigrationTables['mig_subscriptions']> },
): Promise<M> {
  const t = nextSubscriptionState(m.state, event);
  if (!t.ok) throw new MigrationError('transition_refused', t.message);
  const patch = { ...ctx.patch, state: t.to, updated_at: ctx.at };
  await tx.updateTable('mig_subscriptions').set(patch).where('subscription_id', '=', m.subscription_id).execute();
  await auditIn(tx, { at: ctx.at, actor: ctx.actor, action: `subscription:${event}`, subscriptionId: m.subscription_id, details: { from: m.state, to: t.to, ...ctx.details } });
  return { ...m, ...patch } as M;
}

/** Patches a subscription migration without a state change (dates, consent), audited. */
export async function patchSubscription(tx: MigrationTx, subscriptionId: string, patch: Partial<Omit<MigrationTables['mig_subscriptions'], 'plan'>>, audit: { at: string; actor: string; action: string; details?: Record<string, unknown> }): Promise<void> {
  await tx.updateTable('mig_subscriptions').set({ ...patch, updated_at: audit.at }).where('subscription_id', '=', subscriptionId).execute();
  await auditIn(tx, { at: audit.at, actor: audit.actor, action: audit.action, subscriptionId, details: audit.details ?? {} });
}

export async function getUser(db: MigrationDb | MigrationTx, subscriptionId: string, userId: string): Promise<UserMigration | undefined> {
  return (await db.selectFrom('mig_users').selectAll().where('subscription_id', '=', subscriptionId).where('user_id', '=', userId).executeTakeFirst()) as UserMigration | undefined;
}

/**
 * Moves one user through the per-user state machine (refusing transitions it does not have), audited in the same
 * transaction. Audit details carry codes and ids, never the address.
 */
export async function transitionUser(
  tx: MigrationTx, u: UserMigration, event: UserEvent, ctx: { at: string; actor: string; patch?: Partial<MigrationTables['mig_users']>; details?: Record<string, unknown> },
): Promise<UserMigration> {
  const t = nextUserState(u.state, event);
  if (!t.ok) throw new MigrationError('transition_refused', `user ${u.user_id}: ${t.message}`);
  const patch = { ...ctx.patch, state: t.to, updated_at: ctx.at };
  await tx.updateTable('mig_users').set(patch).where('subscription_id', '=', u.subscription_id).where('user_id', '=', u.user_id).execute();
  await auditIn(tx, { at: ctx.at, actor: ctx.actor, action: `user:${event}`, subscriptionId: u.subscription_id, target: u.user_id, details: { from: u.state, to: t.to, ...ctx.details } });
  return { ...u, ...patch } as UserMigration;
}

const counters = (db: MigrationDb | MigrationTx) => db as unknown as Kysely<StatusTables>;

/** The migration row without its plan (hundreds of megabytes at a million users): what status pages need. */
export type MigrationSummary = Omit<SubscriptionMigration, 'plan'>;

/** Reads the copy of migration 0016: on SQLite the columns stored after the plan cost a walk through it. */
export async function getMigrationSummary(db: MigrationDb | MigrationTx, subscriptionId: string): Promise<MigrationSummary | undefined> {
  return (await counters(db).selectFrom('mig_subscription_status').selectAll().where('subscription_id', '=', subscriptionId).executeTakeFirst()) as MigrationSummary | undefined;
}

export async function requireMigrationSummary(db: MigrationDb | MigrationTx, subscriptionId: string): Promise<MigrationSummary> {
  const m = await getMigrationSummary(db, subscriptionId);
  if (!m) throw new MigrationError('migration_not_found', `no migration for subscription ${subscriptionId}: run rehome migrate --plan first`);
  return m;
}

/** Users per state, from the counters the triggers of migration 0015 keep: a few rows, whatever the user count. */
export async function countUsersByState(db: MigrationDb | MigrationTx, subscriptionId: string): Promise<Partial<Record<UserState, number>>> {
  const rows = await counters(db).selectFrom('mig_user_counts').select(['state', (eb) => eb.fn.sum<number>('n').as('n')])
    .where('subscription_id', '=', subscriptionId).groupBy('state').execute();
  return Object.fromEntries(rows.filter((r) => Number(r.n) !== 0).map((r) => [r.state, Number(r.n)]));
}

/** Failed users by code from the counters, each with one message as an example (one index probe per code). */
export async function errorsByCode(db: MigrationDb | MigrationTx, subscriptionId: string): Promise<{ code: string; count: number; example: string }[]> {
  const rows = await counters(db).selectFrom('mig_user_counts').select(['error_code', (eb) => eb.fn.sum<number>('n').as('n')])
    .where('subscription_id', '=', subscriptionId).where('state', '=', 'failed').groupBy('error_code').orderBy('error_code').execute();
  const found = rows.filter((r) => Number(r.n) > 0);
  return Promise.all(found.map(async (r) => {
    const example = await db.selectFrom('mig_users').select('error_message').where('subscription_id', '=', subscriptionId).where('state', '=', 'failed')
      .where((eb) => r.error_code === '' ? eb('error_code', 'is', null) : eb('error_code', '=', r.error_code)).limit(1).executeTakeFirst();
    return { code: r.error_code === '' ? 'unknown' : r.error_code, count: Number(r.n), example: example?.error_message ?? '' };
  }));
}
