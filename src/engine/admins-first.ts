import { ACCOUNTED_STATES } from '../core/migration/states.ts';
import type { MigrationDb } from './migration-repo.ts';

/** An admin the others wait for: not migrated, not skipped (nor staying local or deactivated). */
export interface OutstandingAdmin {
  userId: string;
  firstName: string;
  lastName: string;
  state: string;
}

/**
 * Admins first, for real: the subscription's admins move (or are explicitly skipped, with a second confirmation)
 * before anyone else, so someone who can manage the subscription in the IMS exists before its users arrive there.
 * `count` of them all, and the first `limit` by id, to name them.
 */
export async function outstandingAdmins(db: MigrationDb, subscriptionId: string, limit = 5): Promise<{ count: number; first: OutstandingAdmin[] }> {
  const open = () => db.selectFrom('mig_users').where('subscription_id', '=', subscriptionId).where('admin', '=', 1).where('state', 'not in', [...ACCOUNTED_STATES]);
  const { n } = await open().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(n) === 0) return { count: 0, first: [] };
  const rows = await open().select(['user_id', 'first_name', 'last_name', 'state']).orderBy('user_id').limit(limit).execute();
  return { count: Number(n), first: rows.map((r) => ({ userId: r.user_id, firstName: r.first_name, lastName: r.last_name, state: r.state })) };
}

/** "Ann Smith (1001), Bo Li (1002) and 3 more": for messages people read. */
export function nameAdmins(admins: { count: number; first: OutstandingAdmin[] }): string {
  const names = admins.first.map((a) => `${`${a.firstName} ${a.lastName}`.trim() || 'an admin'} (${a.userId})`);
  const more = admins.count - names.length;
  if (more > 0) return `${names.join(', ')} and ${more} more`;
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0] ?? '';
}
