import type { Kysely } from 'kysely';
import { markEmailVerified } from '../engine/admin-actions.ts';
import { auditIn, getUser, migrationDb } from '../engine/migration-repo.ts';
import { commsDb } from './comms-schema.ts';
import type { LinkRow } from './verification-links.ts';

export interface VerificationOutcome {
  /** Product users (this and other subscriptions, same address) now eligible to migrate. */
  eligible: number;
  /** Verified, but the engine holds them for another reason an admin must resolve. */
  held: number;
  /** How many of the eligible belong to other subscriptions (one person, prod + sandbox: verified once). */
  otherSubscriptions: number;
}

/**
 * A used link proves the person controls the address. Verification is per person, not per subscription
 * (reference §1.12): every product user still waiting for verification with the same normalised address is
 * verified, in this and other subscriptions. Each state change is the engine's own `markEmailVerified`, audited.
 */
export async function applyLinkVerification(deps: { db: Kysely<any>; now: () => Date }, link: LinkRow): Promise<VerificationOutcome> {
  const db = commsDb(deps.db);
  const owner = await getUser(migrationDb(deps.db), link.subscription_id, link.user_id);
  const sameAddress = owner?.normalized_email
    ? await db.selectFrom('mig_users').select(['subscription_id', 'user_id']).where('normalized_email', '=', owner.normalized_email).where('state', '=', 'needs_email_verification').execute()
    : [];
  const targets = [{ subscription_id: link.subscription_id, user_id: link.user_id }, ...sameAddress.filter((u) => u.subscription_id !== link.subscription_id || u.user_id !== link.user_id)];
  const ctx = { db: deps.db, now: deps.now, actor: `product-user:${link.user_id}` };
  const outcome: VerificationOutcome = { eligible: 0, held: 0, otherSubscriptions: 0 };
  for (const t of targets) {
    const before = await getUser(migrationDb(deps.db), t.subscription_id, t.user_id);
    const moved = await markEmailVerified(ctx, t.subscription_id, t.user_id);
    await db.insertInto('comms_verifications').values({ subscription_id: t.subscription_id, user_id: t.user_id, verified_at: deps.now().toISOString(), token_hash: link.token_hash })
      .onConflict((oc) => oc.columns(['subscription_id', 'user_id']).doNothing()).execute();
    if (moved) {
      outcome.eligible++;
      if (t.subscription_id !== link.subscription_id) outcome.otherSubscriptions++;
    } else if (before?.state === 'needs_email_verification') {
      outcome.held++;
    }
  }
  await auditIn(migrationDb(deps.db), {
    at: deps.now().toISOString(), actor: ctx.actor, action: 'comms:email_verified', subscriptionId: link.subscription_id, target: link.user_id,
    details: { via: 'link', ...outcome },
  });
  return outcome;
}
