import { IdpError, type IdpBatchResult, type IdpUser } from '../ports/identity-provider.ts';
import { inList, dialectOf } from '../store/bulk-sql.ts';
import { accountKind, decideAccount, type SeenAccount } from '../core/migration/enforce-plan.ts';
import { APPEARED, driftError, newAccountOf, NOT_THE_NAMED, plannedAccount, SEVERAL, typesOf } from './planned-account.ts';
import type { ClaimedUser } from './batch-claim.ts';
import { mapPool, type BatchIdp } from './batch-idp.ts';
import type { BatchOutcome } from './batch-record.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import type { MigrationDb, MigrationSummary } from './migration-repo.ts';

type Step = Extract<BatchOutcome, { ok: false }>['step'];

/** Product link writes in flight at once: a batch of 1000 must not open 1000 connections to the product. */
const PRODUCT_LINK_LANES = 16;

/**
 * Step 2 of the crash-safe protocol for a claimed batch (user-phase.ts claims it and records the outcomes): the IdP
 * once per operation for the whole batch — find by externalId (which also reconciles whatever a crash left
 * `migrating`), reuse the account another subscription of the org already linked, link planned verified accounts,
 * create the rest (never verified), grant the product profile, write the product links. Every user ends with a
 * subject (granted and linked) or its own error; one user's failure never stops the others.
 */
export async function migrateBatch(db: MigrationDb, m: MigrationSummary, claimed: ClaimedUser[], ports: EnginePorts, idp: BatchIdp): Promise<BatchOutcome[]> {
  const accounts = new Map<string, { subject: string; created: boolean }>();
  const failures = new Map<string, BatchOutcome>();
  const fail = (u: ClaimedUser, step: Step, error: unknown) => failures.set(u.user_id, failure(u, step, error));
  const undecided = (u: ClaimedUser) => !accounts.has(u.user_id) && !failures.has(u.user_id);
  const take = <T extends { id: string } | undefined>(u: ClaimedUser, r: IdpBatchResult<T>, created = false) => {
    if (!r.ok) fail(u, 'ims:account', r.error);
    else if (r.value) accounts.set(u.user_id, { subject: r.value.id, created });
  };

  // Our own earlier attempt (even one whose answer a crash lost) is found by externalId before anything else.
  const byExternalId = new Map<string, IdpUser>();
  (await idp.findByExternalIds(claimed.map((u) => u.user_id))).forEach((r, i) => {
    if (!r.ok) fail(claimed[i]!, 'ims:account', r.error);
    else if (r.value) byExternalId.set(claimed[i]!.user_id, r.value);
  });
  // One person in production and sandbox is one IMS account: reuse the subject another subscription byExternalId.
  const siblings = await siblingSubjects(db, m, claimed.filter((u) => undecided(u) && !byExternalId.has(u.user_id)));
  for (const u of claimed.filter((x) => undecided(x) && !byExternalId.has(x.user_id))) {
    const subject = u.normalized_email ? siblings.get(u.normalized_email) : undefined;
    if (subject) accounts.set(u.user_id, { subject, created: false });
  }
  // What the IMS shows now for each address, of the kind the plan decided (personal, or the org's managed IDs).
  const verified = new Map<string, SeenAccount[]>();
  for (const kind of ['personal', 'enterprise'] as const) {
    // Needed to link the named account; before a create only where the IdP cannot refuse an unplanned link itself.
    const asked = claimed.filter((u) => undecided(u) && !byExternalId.has(u.user_id) && plannedAccount(u).accountType === kind
      && (plannedAccount(u).action === 'link' || !ports.idp.describe().createOnly));
    const found = await idp.findByEmails(asked.map((u) => newAccountOf(u, plannedAccount(u)).email), typesOf({ accountType: kind }));
    asked.forEach((u, i) => {
      const r = found[i]!;
      if (r.ok) verified.set(u.user_id, r.value ? [r.value] : []);
      else if (r.error.code === 'ambiguous') fail(u, 'ims:account', driftError(SEVERAL));
      else fail(u, 'ims:account', r.error);
    });
  }
  // The plan decides (core/migration/enforce-plan.ts): use, link the named account, create, or plan_drift.
  const toLink: { u: ClaimedUser; accountId: string }[] = [];
  const creates: { u: ClaimedUser; expect?: string }[] = [];
  const complete = ports.idp.describe().createOnly;
  for (const u of claimed.filter(undecided)) {
    const d = decideAccount(plannedAccount(u), { linked: byExternalId.get(u.user_id), verified: verified.get(u.user_id) ?? [], complete });
    if (d.do === 'use') accounts.set(u.user_id, { subject: d.accountId, created: false });
    else if (d.do === 'link') toLink.push({ u, accountId: d.accountId });
    else if (d.do === 'create') creates.push({ u });
    else if (d.do === 'provision') creates.push({ u, expect: d.expect });
    else fail(u, 'ims:account', driftError(d.message));
  }
  (await idp.link(toLink.map((x) => ({ userId: x.accountId, externalId: x.u.user_id })))).forEach((r, i) => take(toLink[i]!.u, r));
  // A planned link an IdP carries out by its own rules (it shows the org only its members) is provisioned with
  // linking allowed, and must answer with the named account.
  const created = await idp.create(creates.map(({ u, expect }) => ({ ...newAccountOf(u, plannedAccount(u)), ...(expect ? { linkExisting: true } : {}), externalId: u.user_id })));
  created.forEach((r, i) => {
    const { u, expect } = creates[i]!;
    if (r.ok && expect !== undefined && r.value.id !== expect) fail(u, 'ims:account', driftError(NOT_THE_NAMED));
    else if (r.ok && accountKind(r.value.type) !== plannedAccount(u).accountType) fail(u, 'ims:account', driftError(`the IMS made a ${r.value.type} account where the plan said ${plannedAccount(u).accountType}`));
    else if (!r.ok && r.error.code === 'exists') fail(u, 'ims:account', driftError(APPEARED));
    else take(u, r, expect === undefined);
  });

  // Passwords (invitation, imported hash): still part of the account step, repeated safely after a crash.
  if (ports.passwords) {
    for (const u of claimed.filter((x) => accounts.has(x.user_id))) {
      const a = accounts.get(u.user_id)!;
      await ports.passwords.onAccountReady({ subscriptionId: m.subscription_id, userId: u.user_id, email: u.email, accountId: a.subject, created: a.created })
        .catch((e: unknown) => { fail(u, 'ims:account', e); accounts.delete(u.user_id); });
    }
  }
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
  // One call per user (a product's API links one user at a time), a bounded number at once.
  await mapPool(linked, PRODUCT_LINK_LANES, (u) => ports.links.writeIdentityLink(u.user_id, { issuer, subject: accounts.get(u.user_id)!.subject }).catch((e: unknown) => { fail(u, 'product:link', e); }));

  return claimed.map((u): BatchOutcome => failures.get(u.user_id) ?? { user: u, ok: true, ...accounts.get(u.user_id)! });
}

/** Subjects already linked for the same address by another subscription migrating into this organization. */
async function siblingSubjects(db: MigrationDb, m: MigrationSummary, users: ClaimedUser[]): Promise<Map<string, string>> {
  const emails = [...new Set(users.flatMap((u) => (u.normalized_email ? [u.normalized_email] : [])))];
  if (emails.length === 0 || !m.org_id) return new Map();
  const rows = await db.selectFrom('mig_users').innerJoin('mig_subscriptions', 'mig_subscriptions.subscription_id', 'mig_users.subscription_id')
    .select(['mig_users.normalized_email', 'mig_users.ims_subject'])
    .where(inList(dialectOf(db), 'mig_users.normalized_email', emails)).where('mig_users.subscription_id', '!=', m.subscription_id)
    .where('mig_subscriptions.org_id', '=', m.org_id).where('mig_users.ims_subject', 'is not', null).where('mig_users.state', 'in', ['migrated', 'activated'])
    .execute();
  return new Map(rows.map((r) => [r.normalized_email!, r.ims_subject!]));
}

/** IdP errors as `idp_<code>`, others by their own code; addresses redacted (logs must not identify anyone). */
function failure(u: ClaimedUser, step: Step, error: unknown): BatchOutcome {
  const e = error instanceof IdpError ? error : undefined;
  const code = e ? `idp_${e.code}` : (error as { code?: string }).code ?? 'unexpected';
  const message = (error as Error)?.message ?? String(error);
  return { user: u, ok: false, step, code, message: u.email ? message.split(u.email).join('<email>') : message, retryable: Boolean(e?.retryable) };
}
