import { randomUUID } from 'node:crypto';
import { jsonList, dialectOf } from '../ims/directory/json-rows.ts';
import { IdpError, type IdpBatchResult } from '../ports/identity-provider.ts';
import { claimBatch, countPending, type ClaimedUser } from './batch-claim.ts';
import { createBatchIdp, type BatchIdp } from './batch-idp.ts';
import { recordOutcomes, type BatchOutcome } from './batch-record.ts';
import type { EnginePorts } from './engine-ports.ts';
import { migrationDb, requireMigration, type MigrationDb, type SubscriptionMigration } from './migration-repo.ts';
import { openUserWindow } from './open-user-window.ts';
import { settle, type UserPhaseOptions, type UserPhaseResult } from './user-phase.ts';

export interface BatchedUserPhaseOptions extends UserPhaseOptions {
  /** Users per batch: one claim transaction, one call per IdP operation, one outcome transaction. Default 1000. */
  batchSize?: number;
  /**
   * Lease holder, unique among the processes running at once (default: the actor). A run reclaims at once the
   * `migrating` users leased to its own id (its crashed predecessor), others' only after their lease ran out.
   */
  workerId?: string;
  /** How long a claimed batch stays reserved for this worker. Default 10 minutes. */
  leaseMs?: number;
  /** Fault injection for crash tests: runs after a batch's IdP calls, before its outcome transaction. */
  faults?: { afterIdpCalls?: (userIds: string[]) => void | Promise<void> };
}

type Step = Extract<BatchOutcome, { ok: false }>['step'];

/**
 * The user phase at batch granularity, with the per-user path's protocol and rules (DESIGN.md "Crash-safe apply"):
 * 1. claim a batch in one transaction (users -> `migrating`, a step row with its idempotency key, audit rows);
 * 2. call the IdP once per operation for the whole batch — find by externalId (which also reconciles whatever a
 *    crash left `migrating`), reuse the account another subscription of the org already linked, link planned
 *    verified accounts, create the rest (never verified), grant the product profile, write the product links;
 * 3. record every user's outcome in one transaction.
 * A crash anywhere leaves users `migrating`; the next run reconciles them by externalId before creating anything.
 * Admins go first. Options and result are those of runUserPhase; `concurrency` is the number of batches in flight.
 */
export async function runBatchedUserPhase(opts: BatchedUserPhaseOptions, ports: EnginePorts): Promise<UserPhaseResult> {
  const db = migrationDb(ports.db);
  let m = await requireMigration(db, opts.subscriptionId);
  m = await openUserWindow(db, m, ports, Boolean(opts.scheduledOnly));
  ports.onEvent?.({ type: 'phase:started', phase: 'users', subscriptionId: m.subscription_id });

  const owner = opts.workerId ?? ports.actor;
  const idp = createBatchIdp(ports, opts.maxThrottleRetries ?? 5);
  const run = randomUUID().slice(0, 8);
  const result: UserPhaseResult = { attempted: 0, migrated: 0, failed: 0, state: m.state };
  let batches = 0;
  for (const admins of [true, false]) {
    const total = await countPending(db, m.subscription_id, admins, opts.userIds);
    const tally = { done: 0, failed: 0 };
    // Recovery takes this worker's own leases, so it runs in one lane; fresh claims take only eligible users.
    const passes = opts.userIds ? [{ kind: 'recover' as const, lanes: 1 }] : [{ kind: 'recover' as const, lanes: 1 }, { kind: 'fresh' as const, lanes: Math.max(1, opts.concurrency ?? 1) }];
    for (const pass of passes) {
      await Promise.all(Array.from({ length: pass.lanes }, async () => {
        while (!opts.signal?.aborted) {
          const batchId = `${run}-${++batches}`;
          const claimed = await claimBatch(db, {
            subscriptionId: m.subscription_id, admins, limit: opts.batchSize ?? 1000, owner, leaseMs: opts.leaseMs ?? 600_000, at: ports.now(),
            actor: ports.actor, batchId, kind: pass.kind, ...(opts.userIds ? { userIds: opts.userIds } : {}), ...(opts.scheduledOnly ? { scheduledOnly: true } : {}),
          });
          if (claimed.length === 0) return;
          const outcomes = await migrateClaimed(db, m, claimed, ports, idp);
          await opts.faults?.afterIdpCalls?.(claimed.map((u) => u.user_id));
          const recorded = await recordOutcomes(db, { subscriptionId: m.subscription_id, owner, at: ports.now().toISOString(), actor: ports.actor, batchId }, outcomes);
          for (const o of recorded) {
            result.attempted++;
            if (o.ok) {
              result.migrated++; tally.done++;
              ports.onEvent?.({ type: 'user:migrated', subscriptionId: m.subscription_id, userId: o.user.user_id });
            } else {
              result.failed++; tally.failed++;
              ports.onEvent?.({ type: 'user:failed', subscriptionId: m.subscription_id, userId: o.user.user_id, code: o.code });
            }
          }
          ports.onEvent?.({ type: 'progress', subscriptionId: m.subscription_id, done: tally.done, failed: tally.failed, total });
        }
      }));
    }
  }
  m = await settle(db, m.subscription_id, ports);
  result.state = m.state;
  return result;
}

/** Step 2 for a claimed batch: every user ends with a subject (granted and linked) or its own error. */
async function migrateClaimed(db: MigrationDb, m: SubscriptionMigration, claimed: ClaimedUser[], ports: EnginePorts, idp: BatchIdp): Promise<BatchOutcome[]> {
  const accounts = new Map<string, { subject: string; created: boolean }>();
  const failures = new Map<string, BatchOutcome>();
  const fail = (u: ClaimedUser, step: Step, error: unknown) => failures.set(u.user_id, failure(u, step, error));
  const undecided = (u: ClaimedUser) => !accounts.has(u.user_id) && !failures.has(u.user_id);
  const take = <T extends { id: string } | undefined>(u: ClaimedUser, r: IdpBatchResult<T>, created = false) => {
    if (!r.ok) fail(u, 'ims:account', r.error);
    else if (r.value) accounts.set(u.user_id, { subject: r.value.id, created });
  };

  // Our own earlier attempt (even one whose answer a crash lost) is found by externalId before anything else.
  (await idp.findByExternalIds(claimed.map((u) => u.user_id))).forEach((r, i) => take(claimed[i]!, r));
  // One person in production and sandbox is one IMS account: reuse the subject another subscription linked.
  const siblings = await siblingSubjects(db, m, claimed.filter(undecided));
  for (const u of claimed.filter(undecided)) {
    const subject = u.normalized_email ? siblings.get(u.normalized_email) : undefined;
    if (subject) accounts.set(u.user_id, { subject, created: false });
  }
  // A planned link goes to the verified account with the address; found nothing means create, as per user.
  const linkers = claimed.filter((u) => undecided(u) && u.action === 'link');
  const found = await idp.findByEmails(linkers.map((u) => u.email));
  const toLink = linkers.flatMap((u, i) => {
    const r = found[i]!;
    if (!r.ok) fail(u, 'ims:account', r.error);
    return r.ok && r.value ? [{ u, accountId: r.value.id }] : [];
  });
  (await idp.link(toLink.map((x) => ({ userId: x.accountId, externalId: x.u.user_id })))).forEach((r, i) => take(toLink[i]!.u, r));
  const creates = claimed.filter(undecided);
  const created = await idp.create(creates.map((u) => ({ externalId: u.user_id, email: u.email, firstName: u.first_name, lastName: u.last_name })));
  created.forEach((r, i) => take(creates[i]!, r, true));

  const holders = claimed.filter((u) => accounts.has(u.user_id));
  const subjects = [...new Set(holders.map((u) => accounts.get(u.user_id)!.subject))];
  const granted = await idp.grant(m.profile_id!, subjects);
  const grantErrors = new Map(subjects.flatMap((s, i) => { const r = granted[i]!; return r.ok ? [] : [[s, r.error] as const]; }));
  const linked = holders.filter((u) => {
    const error = grantErrors.get(accounts.get(u.user_id)!.subject);
    if (error) fail(u, 'ims:grant', error);
    return !error;
  });
  const issuer = ports.idp.describe().issuer;
  await Promise.all(linked.map((u) => ports.links.writeIdentityLink(u.user_id, { issuer, subject: accounts.get(u.user_id)!.subject }).catch((e: unknown) => { fail(u, 'product:link', e); })));

  return claimed.map((u): BatchOutcome => failures.get(u.user_id) ?? { user: u, ok: true, ...accounts.get(u.user_id)! });
}

/** Subjects already linked for the same address by another subscription migrating into this organization. */
async function siblingSubjects(db: MigrationDb, m: SubscriptionMigration, users: ClaimedUser[]): Promise<Map<string, string>> {
  const emails = [...new Set(users.flatMap((u) => (u.normalized_email ? [u.normalized_email] : [])))];
  if (emails.length === 0 || !m.org_id) return new Map();
  const rows = await db.selectFrom('mig_users').innerJoin('mig_subscriptions', 'mig_subscriptions.subscription_id', 'mig_users.subscription_id')
    .select(['mig_users.normalized_email', 'mig_users.ims_subject'])
    .where('mig_users.normalized_email', 'in', jsonList(dialectOf(db), emails)).where('mig_users.subscription_id', '!=', m.subscription_id)
    .where('mig_subscriptions.org_id', '=', m.org_id).where('mig_users.ims_subject', 'is not', null).where('mig_users.state', 'in', ['migrated', 'activated'])
    .execute();
  return new Map(rows.map((r) => [r.normalized_email!, r.ims_subject!]));
}

/** The per-user path's error rule: IdP errors as `idp_<code>`, others by their own code; addresses redacted. */
function failure(u: ClaimedUser, step: Step, error: unknown): BatchOutcome {
  const e = error instanceof IdpError ? error : undefined;
  const code = e ? `idp_${e.code}` : (error as { code?: string }).code ?? 'unexpected';
  const message = (error as Error)?.message ?? String(error);
  return { user: u, ok: false, step, code, message: u.email ? message.split(u.email).join('<email>') : message, retryable: Boolean(e?.retryable) };
}
