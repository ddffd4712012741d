import type { Kysely } from 'kysely';
import { digest, randomToken } from './session.ts';
import type { ConsoleTables } from '../app/console-schema.ts';
import { ConsoleError } from './console-error.ts';

export interface BootstrapLink {
  /** Path to append to the server URL: `/console/bootstrap?token=...`. */
  path: string;
  expiresAt: string;
}

type BootstrapDb = Kysely<ConsoleTables & { mig_users: { subscription_id: string; admin: number; ims_subject: string | null } }>;

/**
 * A one-time link for the very first admin of a subscription, before any admin has migrated and can sign in
 * through the IMS (`rehome serve` prints it). Single use, expiring (default 24 hours), bound to one subscription;
 * only its digest is stored. Refused (`bootstrap_not_needed`) once an admin of the subscription has an IMS account,
 * unless `force`: from then on admins sign in through the IMS, and a link made anyway is refused when redeemed.
 */
export async function createBootstrapLink(
  store: { kysely: Kysely<any> }, subscriptionId: string,
  opts: { now?: Date; ttlHours?: number; force?: boolean } = {},
): Promise<BootstrapLink> {
  const db = store.kysely as BootstrapDb;
  if (!opts.force && await adminSignsInThroughIms(db, subscriptionId)) {
    throw new ConsoleError('bootstrap_not_needed', `an admin of ${subscriptionId} has already migrated: admins sign in to the console through the IMS`);
  }
  const now = opts.now ?? new Date();
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + (opts.ttlHours ?? 24) * 3600_000).toISOString();
  await db.insertInto('console_bootstrap_tokens').values({ token_hash: digest(token), subscription_id: subscriptionId, created_at: now.toISOString(), expires_at: expiresAt, used_at: null }).execute();
  return { path: `/console/bootstrap?token=${token}`, expiresAt };
}

/**
 * Spends a bootstrap token: the conditional update is the single-use guarantee (two concurrent clicks cannot
 * both succeed), and the same statement refuses it once an admin of its subscription has an IMS account (migrated
 * or activated), so a link issued before that dies with it. Returns the subscription and a short id for the audit
 * actor, or undefined for an unknown, used, expired or outlived token (one answer for all: no oracle).
 */
export async function redeemBootstrapToken(consoleDb: Kysely<ConsoleTables>, token: string, now: Date): Promise<{ subscriptionId: string; id: string } | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const db = consoleDb as BootstrapDb;
  const hash = digest(token);
  const at = now.toISOString();
  const updated = await db.updateTable('console_bootstrap_tokens').set({ used_at: at })
    .where('token_hash', '=', hash).where('used_at', 'is', null).where('expires_at', '>', at)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('mig_users').select('mig_users.ims_subject')
      .whereRef('mig_users.subscription_id', '=', 'console_bootstrap_tokens.subscription_id')
      .where('mig_users.admin', '=', 1).where('mig_users.ims_subject', 'is not', null))))
    .executeTakeFirst();
  const row = await db.selectFrom('console_bootstrap_tokens').select('subscription_id').where('token_hash', '=', hash).executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    if (row && await adminSignsInThroughIms(db, row.subscription_id)) await retireBootstrapLinks(db, row.subscription_id, at);
    return undefined;
  }
  return { subscriptionId: row!.subscription_id, id: hash.slice(0, 12) };
}

/** True once an admin of the subscription has an IMS account: from then on admins sign in through the IMS. */
async function adminSignsInThroughIms(db: BootstrapDb, subscriptionId: string): Promise<boolean> {
  const admin = await db.selectFrom('mig_users').select('ims_subject').where('subscription_id', '=', subscriptionId)
    .where('admin', '=', 1).where('ims_subject', 'is not', null).executeTakeFirst();
  return admin !== undefined;
}

/** Spends every outstanding bootstrap link of the subscription (they are refused anyway; now the rows say so too). */
async function retireBootstrapLinks(db: BootstrapDb, subscriptionId: string, at: string): Promise<void> {
  await db.updateTable('console_bootstrap_tokens').set({ used_at: at }).where('subscription_id', '=', subscriptionId).where('used_at', 'is', null).execute();
}
