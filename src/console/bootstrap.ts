import type { Kysely } from 'kysely';
import { digest, randomToken } from './session.ts';
import type { ConsoleTables } from '../app/console-schema.ts';
import { ConsoleError } from './console-error.ts';

export interface BootstrapLink {
  /** Path to append to the server URL: `/console/bootstrap?token=...`. */
  path: string;
  expiresAt: string;
}

/**
 * A one-time link for the very first admin of a subscription, before any admin has migrated and can sign in
 * through the IMS (`rehome serve` prints it). Single use, expiring (default 24 hours), bound to one subscription;
 * only its digest is stored. Refused (`bootstrap_not_needed`) once an admin of the subscription has an IMS account,
 * unless `force`: from then on admins sign in through the IMS.
 */
export async function createBootstrapLink(
  store: { kysely: Kysely<any> }, subscriptionId: string,
  opts: { now?: Date; ttlHours?: number; force?: boolean } = {},
): Promise<BootstrapLink> {
  const db = store.kysely as Kysely<ConsoleTables & { mig_users: { subscription_id: string; admin: number; ims_subject: string | null } }>;
  if (!opts.force) {
    const migratedAdmin = await db.selectFrom('mig_users').select('ims_subject').where('subscription_id', '=', subscriptionId)
      .where('admin', '=', 1).where('ims_subject', 'is not', null).executeTakeFirst();
    if (migratedAdmin) throw new ConsoleError('bootstrap_not_needed', `an admin of ${subscriptionId} has already migrated: admins sign in to the console through the IMS`);
  }
  const now = opts.now ?? new Date();
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + (opts.ttlHours ?? 24) * 3600_000).toISOString();
  await db.insertInto('console_bootstrap_tokens').values({ token_hash: digest(token), subscription_id: subscriptionId, created_at: now.toISOString(), expires_at: expiresAt, used_at: null }).execute();
  return { path: `/console/bootstrap?token=${token}`, expiresAt };
}

/**
 * Spends a bootstrap token: the conditional update is the single-use guarantee (two concurrent clicks cannot
 * both succeed). Returns the subscription and a short id for the audit actor, or undefined for an unknown, used
 * or expired token (one answer for all three: no oracle).
 */
export async function redeemBootstrapToken(db: Kysely<ConsoleTables>, token: string, now: Date): Promise<{ subscriptionId: string; id: string } | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const hash = digest(token);
  const at = now.toISOString();
  const updated = await db.updateTable('console_bootstrap_tokens').set({ used_at: at })
    .where('token_hash', '=', hash).where('used_at', 'is', null).where('expires_at', '>', at).executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return undefined;
  const row = await db.selectFrom('console_bootstrap_tokens').select('subscription_id').where('token_hash', '=', hash).executeTakeFirstOrThrow();
  return { subscriptionId: row.subscription_id, id: hash.slice(0, 12) };
}
