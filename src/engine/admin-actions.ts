import { checkMigrationDate, DEFAULT_SCHEDULE_RULES, extendWindow, windowExpiresAt, type ScheduleRules } from '../core/migration/schedule.ts';
import { MIGRATED_STATES } from '../core/migration/states.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import { MigrationError } from './migration-error.ts';
import type { Kysely } from 'kysely';
import { getUser, migrationDb, type UserMigration, patchSubscription, requireMigration, requireMigrationSummary, requirePlanFacts, transitionSubscription, transitionUser, type MigrationSummary, type PlanFacts } from './migration-repo.ts';
import type { StatusTables } from './status-schema.ts';
import { settle } from './user-phase.ts';

type Ctx = Pick<EnginePorts, 'db' | 'now' | 'actor'>;

/** Sets (or moves) the user-migration date: 8–30 days ahead, midnight in the subscription's zone, until it locks. */
export async function scheduleMigration(
  ctx: Ctx, subscriptionId: string, date: string, rules: ScheduleRules = DEFAULT_SCHEDULE_RULES,
  /** The prerequisites as they stand now (the app re-derives those that users or the IMS may have settled since). */
  prerequisites?: PlanFacts['prerequisites'],
): Promise<MigrationSummary> {
  const db = migrationDb(ctx.db);
  return db.transaction().execute(async (tx) => {
    const m = await requireMigrationSummary(tx, subscriptionId);
    const plan = await requirePlanFacts(tx, subscriptionId);
    const blocking = (prerequisites ?? plan.prerequisites).filter((p) => p.blocking && !(p.code === 'consent_required' && m.consent_at));
    if (blocking.length > 0) throw new MigrationError('prerequisite_missing', blocking.map((p) => p.message).join(' '));
    const r = checkMigrationDate({ date, now: ctx.now(), timeZone: plan.timeZone, current: m.migration_date, rules });
    if (!r.ok) throw new MigrationError('schedule_invalid', r.message);
    const at = ctx.now().toISOString();
    return transitionSubscription(tx, m, 'schedule', {
      at, actor: ctx.actor, patch: { migration_date: r.date, starts_at: r.startsAt, window_expires_at: windowExpiresAt(r.startsAt, m.extensions, rules) },
      details: { date: r.date, startsAt: r.startsAt, previous: m.migration_date },
    });
  });
}

/** Extends the self-service window by a week, at most three times (configurable), audited. */
export async function extendMigration(ctx: Ctx, subscriptionId: string, rules: ScheduleRules = DEFAULT_SCHEDULE_RULES): Promise<MigrationSummary> {
  const db = migrationDb(ctx.db);
  return db.transaction().execute(async (tx) => {
    const m = await requireMigrationSummary(tx, subscriptionId);
    if (!m.starts_at) throw new MigrationError('schedule_invalid', `subscription ${subscriptionId} has no user-migration date yet`);
    const r = extendWindow(m.starts_at, m.extensions, rules);
    if (!r.ok) throw new MigrationError('extensions_exhausted', r.message);
    const at = ctx.now().toISOString();
    const patch = { extensions: r.extensions, window_expires_at: r.expiresAt };
    if (m.state === 'expired' || m.state === 'users_in_progress' || m.state === 'awaiting_confirmation') {
      return transitionSubscription(tx, m, 'extend', { at, actor: ctx.actor, patch, details: { extensions: r.extensions, expiresAt: r.expiresAt } });
    }
    await patchSubscription(tx, subscriptionId, patch, { at, actor: ctx.actor, action: 'subscription:extend', details: { extensions: r.extensions, expiresAt: r.expiresAt } });
    return { ...m, ...patch };
  });
}

/** Skip (with a reason), unskip, retry: per user, each a state-machine transition, audited. */
export interface UserRefusal {
  userId: string;
  /** `user_not_found`, `admin_skip_unconfirmed`, or the state machine's `transition_refused`. */
  code: string;
  message: string;
}

/**
 * Skip, unskip or retry users, one audited transaction each. Skipping an admin needs `confirmAdmins` (the second
 * confirmation): the others wait for the admins (admins first), and a skipped admin loses access at confirmation.
 */
export async function actOnUsers(ctx: Ctx, subscriptionId: string, userIds: string[], action: 'skip' | 'unskip' | 'retry', reason?: string, options: { confirmAdmins?: boolean } = {}): Promise<{ changed: string[]; refused: UserRefusal[] }> {
  if (action === 'skip' && !reason?.trim()) throw new MigrationError('transition_refused', 'skipping users needs a reason (--reason): skipped users lose access once the migration completes');
  const db = migrationDb(ctx.db);
  const changed: string[] = [];
  const refused: UserRefusal[] = [];
  for (const userId of userIds) {
    await db.transaction().execute(async (tx) => {
      const u = await getUser(tx, subscriptionId, userId);
      if (!u) { refused.push({ userId, code: 'user_not_found', message: 'no such user in this migration' }); return; }
      if (action === 'skip' && u.admin === 1 && !options.confirmAdmins && u.state !== 'skipped') {
        refused.push({ userId, code: 'admin_skip_unconfirmed', message: `${u.first_name} ${u.last_name} (${userId}) is an admin of the subscription: skipping an admin needs a second confirmation (--confirm-admins), because they lose access when the migration is confirmed` });
        return;
      }
      const at = ctx.now().toISOString();
      try {
        if (action === 'unskip') {
          // Unskip restores the real verification status (reference: "restores verification status to current real value").
          const back = u.action === 'wait_for_verification' ? 'needs_email_verification' : u.action === 'hold' ? 'blocked' : 'eligible';
          await transitionUser(tx, u, 'unskip', { at, actor: ctx.actor, patch: { skip_reason: null }, details: { reason: reason ?? null } });
          if (back !== 'eligible') await tx.updateTable('mig_users').set({ state: back }).where('subscription_id', '=', subscriptionId).where('user_id', '=', userId).execute();
        } else {
          await transitionUser(tx, u, action, { at, actor: ctx.actor, patch: action === 'skip' ? { skip_reason: reason! } : { error_code: null, error_message: null }, details: { reason: reason ?? null } });
        }
        changed.push(userId);
      } catch (e) {
        if (e instanceof MigrationError) refused.push({ userId, code: e.code, message: e.message });
        else throw e;
      }
    });
  }
  await settle(db, subscriptionId, { db: ctx.db, now: ctx.now, actor: ctx.actor } as EnginePorts);
  return { changed, refused };
}

/** Product-side email verification arrived (link clicked): the user can now migrate. */
export async function markEmailVerified(ctx: Ctx, subscriptionId: string, userId: string): Promise<boolean> {
  const db = migrationDb(ctx.db);
  return db.transaction().execute(async (tx) => {
    const u = await getUser(tx, subscriptionId, userId);
    if (!u || u.state !== 'needs_email_verification') return false;
    const plan = await requirePlanFacts(tx, subscriptionId);
    // The user's readiness reasons as planned (migration 0015 keeps them per user: no plan to parse per click).
    const reasons = (await (tx as unknown as Kysely<StatusTables>).selectFrom('mig_user_reasons').select('reason').where('subscription_id', '=', subscriptionId).where('user_id', '=', userId).execute()).map((r) => r.reason);
    // Verification settles only the verification reasons; a user also blocked for something else stays blocked.
    const otherBlocks = reasons.some((r) => !['email_unverified', 'invite_not_accepted', 'login_differs_from_email', 'access_expires', 'plus_or_dot_address', 'admin_not_ready', 'in_several_subscriptions', 'confusable_email', 'identity_type_conflict', 'ims_signup_pending'].includes(r));
    if (otherBlocks) return false;
    // The plan still decides the account: the one it named (a verified IMS account with the address), else a new one.
    const action = u.planned_account_id ? 'link' : plan.passwordStrategy === 'invite' ? 'invite' : 'create';
    await transitionUser(tx, u, 'email_verified', { at: ctx.now().toISOString(), actor: ctx.actor, patch: { action } });
    return true;
  });
}

/**
 * A person signed in through the IMS: every product user migrated onto that IMS account is now `activated` (their
 * first IMS sign-in; later ones change nothing). Returns how many users changed.
 */
export async function markActivated(ctx: Ctx, imsSubject: string): Promise<number> {
  const db = migrationDb(ctx.db);
  return db.transaction().execute(async (tx) => {
    const users = await tx.selectFrom('mig_users').selectAll().where('ims_subject', '=', imsSubject).where('state', '=', 'migrated').execute();
    for (const u of users) await transitionUser(tx, u as UserMigration, 'activate', { at: ctx.now().toISOString(), actor: ctx.actor });
    return users.length;
  });
}

/**
 * Confirms the migration. Refused until every non-API user is migrated or skipped; the caller must have shown
 * that skipped users lose access (`acknowledgeSkippedLoseAccess`).
 */
export async function confirmMigration(ctx: Ctx, subscriptionId: string, acknowledgeSkippedLoseAccess: boolean): Promise<MigrationSummary> {
  const db = migrationDb(ctx.db);
  const m = await settle(db, subscriptionId, { db: ctx.db, now: ctx.now, actor: ctx.actor } as EnginePorts);
  if (m.state !== 'awaiting_confirmation') {
    throw new MigrationError('not_complete', `subscription ${subscriptionId} is ${m.state}: every user must be migrated or skipped before confirmation (rehome status shows who is left)`);
  }
  if (!acknowledgeSkippedLoseAccess) throw new MigrationError('transition_refused', 'confirmation ends the migration: skipped users lose access to the product. Confirm with --yes once you accept that.');
  return db.transaction().execute(async (tx) => {
    const skipped = await tx.selectFrom('mig_users').select((eb) => eb.fn.countAll<number>().as('n')).where('subscription_id', '=', subscriptionId).where('state', '=', 'skipped').executeTakeFirstOrThrow();
    return transitionSubscription(tx, m, 'confirm', { at: ctx.now().toISOString(), actor: ctx.actor, patch: { confirmed_at: ctx.now().toISOString() }, details: { skippedLoseAccess: Number(skipped.n) } });
  });
}

/** More than `maxUsers` users or `maxShare` of the subscription needs an explicit flag (peers' most feared mistake). */
export const ROLLBACK_GUARD = { maxUsers: 200, maxShare: 0.1 };

/**
 * Rolls back before confirmation: removes what was linked (product link, profile membership, and the org
 * membership unless another subscription of the org still uses the account) and returns users to `eligible`, so
 * product login works again for them. Other subscriptions are untouched.
 */
export async function rollbackMigration(ports: EnginePorts, subscriptionId: string, opts: { force?: boolean } = {}): Promise<{ rolledBack: number }> {
  const db = migrationDb(ports.db);
  const m = await requireMigration(db, subscriptionId);
  if (['confirmed', 'support_migrated', 'done'].includes(m.state)) throw new MigrationError('transition_refused', `subscription ${subscriptionId} is ${m.state}: a confirmed migration cannot be rolled back`);
  const users = await db.selectFrom('mig_users').selectAll().where('subscription_id', '=', subscriptionId).where('state', 'in', [...MIGRATED_STATES, 'migrating', 'failed']).execute();
  const total = Number((await db.selectFrom('mig_users').select((eb) => eb.fn.countAll<number>().as('n')).where('subscription_id', '=', subscriptionId).executeTakeFirstOrThrow()).n);
  if (!opts.force && (users.length > ROLLBACK_GUARD.maxUsers || users.length > total * ROLLBACK_GUARD.maxShare)) {
    throw new MigrationError('threshold_exceeded', `rollback would touch ${users.length} of ${total} users (more than ${ROLLBACK_GUARD.maxUsers} or ${ROLLBACK_GUARD.maxShare * 100}%): rerun with --force if that is what you mean`);
  }
  let rolledBack = 0;
  for (const u of users) {
    await ports.links.removeIdentityLink(u.user_id);
    if (u.ims_subject && m.profile_id) await ports.idp.removeProfileMembers(m.profile_id, [u.ims_subject]);
    const shared = u.ims_subject ? await db.selectFrom('mig_users').select('user_id').where('ims_subject', '=', u.ims_subject).where('subscription_id', '!=', subscriptionId).where('state', 'in', [...MIGRATED_STATES]).executeTakeFirst() : undefined;
    if (!shared) await ports.idp.unlinkUser(u.user_id);
    await db.transaction().execute(async (tx) => {
      const fresh = (await getUser(tx, subscriptionId, u.user_id))!;
      const at = ports.now().toISOString();
      if (fresh.state === 'migrating' || fresh.state === 'failed') {
        await tx.updateTable('mig_users').set({ state: 'eligible', ims_subject: null, updated_at: at }).where('subscription_id', '=', subscriptionId).where('user_id', '=', u.user_id).execute();
      } else {
        await transitionUser(tx, fresh, 'rollback', { at, actor: ports.actor, patch: { ims_subject: null }, details: { sharedWithOtherSubscription: Boolean(shared) } });
      }
    });
    rolledBack++;
  }
  await db.transaction().execute(async (tx) => {
    const cur = await requireMigration(tx, subscriptionId);
    await transitionSubscription(tx, cur, 'rollback', { at: ports.now().toISOString(), actor: ports.actor, patch: { org_id: null, profile_id: null }, details: { users: rolledBack } });
  });
  return { rolledBack };
}
