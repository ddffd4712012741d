import { IdpError, isIdpError, type IdpUser, type IdpUserType, type NewIdpUser } from '../ports/identity-provider.ts';
import { accountKind, decideAccount, PLAN_DRIFT_FIX, type PlannedAccount, type SeenAccount } from '../core/migration/enforce-plan.ts';
import { normalizeEmail } from '../core/email/normalize-email.ts';
import { MigrationError } from './migration-error.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import { isPostgres, type LeaseHolder } from './claim-users.ts';
import { getUser, migrationDb, transitionUser, type MigrationTx, type SubscriptionMigration, type UserMigration } from './migration-repo.ts';

export type UserOutcome = { status: 'migrated'; subject: string } | { status: 'failed'; code: string; retryable: boolean; retryAfterMs?: number } | { status: 'skipped' };

type Step = 'ims:account' | 'ims:grant' | 'product:link';

/**
 * Migrates one user with the crash-safe protocol of DESIGN.md: every outside call is recorded before (step
 * `started`, with the idempotency key `<subscription>:<user>` and the attempt) and after (`succeeded`/`failed`), and
 * every call is safe to repeat — the account is found by externalId (= product user id) before anything is created.
 * A process killed at any point leaves the user in `migrating`; running this again reconciles and finishes.
 *
 * With `lease` (several processes): the start takes the row lock (PostgreSQL) and refuses (`skipped`) a user whose
 * live lease another runner holds, so no user is processed twice at the same time; the outcome drops the lease.
 */
export async function migrateUser(m: SubscriptionMigration, userId: string, ports: EnginePorts, opts: { lease?: LeaseHolder } = {}): Promise<UserOutcome> {
  const db = migrationDb(ports.db);
  const at = () => ports.now().toISOString();
  const key = `${m.subscription_id}:${userId}`;
  const lease = opts.lease;
  const released = lease ? { lease_owner: null, lease_until: null } : {};

  const started = await db.transaction().execute(async (tx) => {
    const u = await lockUser(tx, m.subscription_id, userId, isPostgres(ports.db));
    if (!u) return undefined;
    if (lease && heldByAnother(u, lease)) return undefined;
    if (!['eligible', 'migrating', 'failed'].includes(u.state)) {
      if (lease && u.lease_owner === lease.id) await tx.updateTable('mig_users').set(released).where('subscription_id', '=', u.subscription_id).where('user_id', '=', u.user_id).execute();
      return undefined;
    }
    const held = lease ? { lease_owner: lease.id, lease_until: new Date(lease.clock() + lease.leaseMs).toISOString() } : {};
    const next = await transitionUser(tx, u, 'start', { at: at(), actor: ports.actor, patch: { attempt: u.attempt + 1, error_code: null, error_message: null, retryable: 0, ...held }, details: { attempt: u.attempt + 1, resumed: u.state === 'migrating' } });
    await startStep(tx, next, 'ims:account', key, at());
    return next;
  });
  if (!started) return { status: 'skipped' };

  let step: Step = 'ims:account';
  try {
    const account = await ensureAccount(started, m, ports);
    // Still inside the ims:account step: a crash repeats it, and the provisioner does each thing at most once.
    await ports.passwords?.onAccountReady({ subscriptionId: m.subscription_id, userId, email: started.email, accountId: account.id, created: account.created });
    step = 'ims:grant';
    await db.transaction().execute(async (tx) => {
      await finishStep(tx, started, 'ims:account', 'succeeded', at(), { subject: account.id });
      await startStep(tx, started, 'ims:grant', key, at());
    });
    await ports.idp.addProfileMembers(m.profile_id!, [account.id]);
    step = 'product:link';
    await db.transaction().execute(async (tx) => {
      await finishStep(tx, started, 'ims:grant', 'succeeded', at(), { profile: m.profile_id });
      await startStep(tx, started, 'product:link', key, at());
    });
    await ports.links.writeIdentityLink(userId, { issuer: ports.idp.describe().issuer, subject: account.id });
    await db.transaction().execute(async (tx) => {
      await finishStep(tx, started, 'product:link', 'succeeded', at(), {});
      await transitionUser(tx, started, 'succeed', { at: at(), actor: ports.actor, patch: { ims_subject: account.id, ...released }, details: { subject: account.id, created: account.created } });
    });
    return { status: 'migrated', subject: account.id };
  } catch (error) {
    const e = error instanceof IdpError ? error : undefined;
    const code = e ? `idp_${e.code}` : (error as { code?: string }).code ?? 'unexpected';
    const message = (error as Error).message ?? String(error);
    await db.transaction().execute(async (tx) => {
      await finishStep(tx, started, step, 'failed', at(), {}, code);
      const fresh = (await getUser(tx, m.subscription_id, userId))!;
      await transitionUser(tx, fresh, 'fail', { at: at(), actor: ports.actor, patch: { error_code: code, error_message: redact(message, started), retryable: e?.retryable ? 1 : 0, ...released }, details: { step, code, retryable: Boolean(e?.retryable) } });
    });
    return { status: 'failed', code, retryable: Boolean(e?.retryable), ...(e?.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
  }
}

/**
 * The user's IMS account, exactly as the plan decided it (core/migration/enforce-plan.ts): our own earlier attempt
 * by externalId (even one whose answer a crash lost), the same person already moved with another subscription of
 * this organization, the account the plan named (`link`), or a new account of the planned type that links nothing.
 * Whenever the IMS no longer matches the plan, the user fails with `plan_drift`.
 */
async function ensureAccount(u: UserMigration, m: SubscriptionMigration, ports: EnginePorts): Promise<IdpUser & { created: boolean }> {
  const plan = plannedAccount(u);
  const linked = await ports.idp.findUser({ externalId: u.user_id });
  if (!linked) {
    const sibling = u.normalized_email ? await siblingSubject(u, m, ports) : undefined;
    if (sibling) return { id: sibling, externalId: null, email: u.email, emailVerified: true, type: 'personal', active: true, created: false };
  }
  // What the IMS holds for the address now: needed to link the named account, and before a create only where the
  // IdP cannot refuse an unplanned link itself (describe().createOnly).
  const look = !linked && (plan.action === 'link' || !ports.idp.describe().createOnly);
  const verified = look ? await verifiedOfPlannedKind(ports, u, plan) : [];
  const decision = decideAccount(plan, { linked, verified, complete: ports.idp.describe().createOnly });
  switch (decision.do) {
    case 'use': return { ...linked!, created: false };
    case 'link': return { ...(await ports.idp.linkUser(decision.accountId, u.user_id)), created: false };
    case 'drift': throw driftError(decision.message);
    case 'provision': {
      // An IdP that shows the org only its members: its own rules link the named account, or the user drifts.
      const provisioned = await ports.idp.createUser({ ...newAccountOf(u, plan), linkExisting: true, externalId: u.user_id });
      if (provisioned.id !== decision.expect) throw driftError(NOT_THE_NAMED);
      return { ...provisioned, created: false };
    }
    case 'create': {
      const created = await ports.idp.createUser({ ...newAccountOf(u, plan), externalId: u.user_id }).catch((error: unknown) => {
        throw isIdpError(error, 'exists') ? driftError(APPEARED) : error;
      });
      if (accountKind(created.type) !== plan.accountType) throw driftError(`the IMS made a ${created.type} account where the plan said ${plan.accountType}`);
      return { ...created, created: true };
    }
  }
}

/** What the plan stored for the user (mig_users: action, planned_account_id, account_type). */
export function plannedAccount(u: UserMigration): PlannedAccount {
  return {
    action: u.action === 'link' ? 'link' : u.action === 'invite' ? 'invite' : 'create',
    accountId: u.planned_account_id,
    accountType: u.account_type === 'enterprise' ? 'enterprise' : 'personal',
  };
}

/** The IdP types of a planned kind: the org's managed IDs are enterprise or federated. */
export function typesOf(plan: Pick<PlannedAccount, 'accountType'>): IdpUserType[] {
  return plan.accountType === 'personal' ? ['personal'] : ['enterprise', 'federated'];
}

/** The new account's fields: the delivery form of the address, the planned type, and never a link to another. */
export function newAccountOf(u: UserMigration, plan: PlannedAccount): Omit<NewIdpUser, 'externalId'> {
  const e = normalizeEmail(u.email);
  return { email: e.ok ? e.delivery : u.email, firstName: u.first_name, lastName: u.last_name, type: plan.accountType, linkExisting: false };
}

/** The drift of a planned create: an account the plan did not know holds the address now. */
export const APPEARED = 'a verified account with this address appeared since the plan (an account made after the snapshot is never linked without a new readiness run)';

/** The drift when the look-up finds several verified accounts of the planned kind for the address. */
export const SEVERAL = 'several verified accounts of the planned kind hold this address since the plan';

/** The drift of a planned link the IdP carried out by its own rules: it answered with another account. */
export const NOT_THE_NAMED = 'the IdP provisioned another account than the one the plan named';

export function driftError(what: string): MigrationError {
  return new MigrationError('plan_drift', `${what}. ${PLAN_DRIFT_FIX}`);
}

async function verifiedOfPlannedKind(ports: EnginePorts, u: UserMigration, plan: PlannedAccount): Promise<SeenAccount[]> {
  try {
    const found = await ports.idp.findUser({ email: newAccountOf(u, plan).email, types: typesOf(plan) });
    return found ? [found] : [];
  } catch (error) {
    if (isIdpError(error, 'ambiguous')) throw driftError(SEVERAL);
    throw error;
  }
}

/** One person in production and sandbox is one IMS account: reuse the subject another subscription of this org linked. */
async function siblingSubject(u: UserMigration, m: SubscriptionMigration, ports: EnginePorts): Promise<string | undefined> {
  const db = migrationDb(ports.db);
  const row = await db.selectFrom('mig_users').innerJoin('mig_subscriptions', 'mig_subscriptions.subscription_id', 'mig_users.subscription_id')
    .select('mig_users.ims_subject').where('mig_users.normalized_email', '=', u.normalized_email).where('mig_users.subscription_id', '!=', u.subscription_id)
    .where('mig_subscriptions.org_id', '=', m.org_id).where('mig_users.ims_subject', 'is not', null).where('mig_users.state', 'in', ['migrated', 'activated'])
    .executeTakeFirst();
  return row?.ims_subject ?? undefined;
}

/** Reads the user for the start transaction; on PostgreSQL with the row lock, so two starts of one user serialise. */
async function lockUser(tx: MigrationTx, subscriptionId: string, userId: string, postgres: boolean): Promise<UserMigration | undefined> {
  if (!postgres) return getUser(tx, subscriptionId, userId);
  return (await tx.selectFrom('mig_users').selectAll().where('subscription_id', '=', subscriptionId).where('user_id', '=', userId).forUpdate().executeTakeFirst()) as UserMigration | undefined;
}

function heldByAnother(u: UserMigration, lease: LeaseHolder): boolean {
  return u.lease_owner !== null && u.lease_owner !== lease.id && u.lease_until !== null && Date.parse(u.lease_until) > lease.clock();
}

async function startStep(tx: MigrationTx, u: UserMigration, step: Step, key: string, at: string): Promise<void> {
  await tx.insertInto('mig_steps').values({ subscription_id: u.subscription_id, user_id: u.user_id, step, idem_key: key, attempt: u.attempt, status: 'started', result: null, error_code: null, started_at: at, finished_at: null } as never).execute();
}

async function finishStep(tx: MigrationTx, u: UserMigration, step: Step, status: 'succeeded' | 'failed', at: string, result: Record<string, unknown>, code?: string): Promise<void> {
  await tx.updateTable('mig_steps').set({ status, result: JSON.stringify(result), error_code: code ?? null, finished_at: at })
    .where('subscription_id', '=', u.subscription_id).where('user_id', '=', u.user_id).where('step', '=', step).where('attempt', '=', u.attempt).where('status', '=', 'started').execute();
}

/** Error texts from an IdP may echo the address; keep the reason, drop the person (logs must not identify anyone). */
function redact(message: string, u: UserMigration): string {
  return u.email ? message.split(u.email).join('<email>') : message;
}
