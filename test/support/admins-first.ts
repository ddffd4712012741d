/**
 * Admins first (engine/admins-first.ts): while an admin of a subscription is neither migrated nor skipped, nobody
 * else moves. Tests about other things start where an admin who cannot move now (unverified, blocked) has been
 * skipped with the second confirmation, as an admin would do it in the console (`rehome skip ... --confirm-admins`).
 */
import type { Kysely } from 'kysely';
import { actOnUsers } from '../../src/engine/admin-actions.ts';

/** Skips, confirmed, the admins waiting for verification or blocked; returns their ids. */
export async function skipAdminsWhoCannotMove(db: Kysely<any>, subscriptionId: string, now: () => Date = () => new Date()): Promise<string[]> {
  const rows = await db.selectFrom('mig_users').select('user_id').where('subscription_id', '=', subscriptionId).where('admin', '=', 1)
    .where('state', 'in', ['needs_email_verification', 'blocked']).orderBy('user_id').execute() as { user_id: string }[];
  const ids = rows.map((r) => r.user_id);
  if (ids.length > 0) await actOnUsers({ db, now, actor: 'test:admins-first' }, subscriptionId, ids, 'skip', 'cannot move now; the test is about the others', { confirmAdmins: true });
  return ids;
}
