import { actOnUsers, type UserRefusal } from '../../engine/admin-actions.ts';
import { migrationDb } from '../../engine/migration-repo.ts';
import { AppError } from '../app-error.ts';
import type { RehomeApp } from '../compose.ts';

export type UserChange = 'skip' | 'unskip' | 'retry';

export interface ChangeUsersInput {
  subscriptionId: string;
  actor: string;
  action: UserChange;
  userIds?: string[];
  /** Every user of the subscription in these states (e.g. `failed`, `needs_email_verification`). */
  states?: string[];
  /** Why they are skipped (required for skip: they lose access at confirmation). */
  reason?: string;
  /** The second confirmation a skip of an admin needs (else each admin is refused, `admin_skip_unconfirmed`). */
  confirmAdmins?: boolean;
}

/** Skip, unskip or retry users (by id or by state); each change is audited, refusals are reported per user. */
export async function changeUsers(app: RehomeApp, input: ChangeUsersInput): Promise<{ changed: string[]; refused: UserRefusal[] }> {
  const ids = [...(input.userIds ?? [])];
  if (input.states && input.states.length > 0) {
    const rows = await migrationDb(app.store.kysely).selectFrom('mig_users').select('user_id').where('subscription_id', '=', input.subscriptionId).where('state', 'in', input.states).orderBy('user_id').execute();
    ids.push(...rows.map((r) => r.user_id));
  }
  if (input.action === 'skip' && !input.reason?.trim()) throw new AppError('usage', 'give a reason for skipping: skipped users lose access once the migration completes');
  return actOnUsers({ db: app.store.kysely, now: app.now, actor: input.actor }, input.subscriptionId, [...new Set(ids)], input.action, input.reason?.trim().slice(0, 200), { confirmAdmins: Boolean(input.confirmAdmins) });
}
