/**
 * The two state machines of ../shared/DESIGN.md, as data. Every state change goes through `nextUserState` /
 * `nextSubscriptionState`, which refuse transitions the machine does not have; the store records each change and
 * the audit log names it.
 */

export type SubscriptionState =
  | 'not_started' | 'product_linked' | 'users_scheduled' | 'users_in_progress' | 'awaiting_confirmation'
  | 'confirmed' | 'support_migrated' | 'done' | 'expired' | 'rolled_back';

export type UserState =
  | 'needs_email_verification' | 'eligible' | 'migrating' | 'migrated' | 'activated'
  | 'skipped' | 'blocked' | 'failed' | 'stays_local' | 'not_migrated';

export type UserEvent =
  | 'email_verified' | 'start' | 'succeed' | 'fail' | 'retry' | 'skip' | 'unskip' | 'activate' | 'rollback' | 'block' | 'unblock';

export type SubscriptionEvent =
  | 'link_product' | 'schedule' | 'start_users' | 'users_done' | 'users_reopened' | 'confirm' | 'support_done'
  | 'finish' | 'expire' | 'extend' | 'rollback';

const USER: Record<UserState, Partial<Record<UserEvent, UserState>>> = {
  needs_email_verification: { email_verified: 'eligible', skip: 'skipped', block: 'blocked' },
  eligible: { start: 'migrating', skip: 'skipped', block: 'blocked' },
  // A crash leaves a user in `migrating`; resume reconciles by lookup and then succeeds or fails.
  migrating: { succeed: 'migrated', fail: 'failed', start: 'migrating' },
  migrated: { activate: 'activated', rollback: 'eligible' },
  activated: { rollback: 'eligible' },
  failed: { retry: 'eligible', skip: 'skipped', start: 'migrating' },
  skipped: { unskip: 'eligible' },
  blocked: { unblock: 'eligible', skip: 'skipped' },
  stays_local: {},
  not_migrated: {},
};

const SUBSCRIPTION: Record<SubscriptionState, Partial<Record<SubscriptionEvent, SubscriptionState>>> = {
  not_started: { link_product: 'product_linked' },
  product_linked: { schedule: 'users_scheduled', rollback: 'rolled_back' },
  users_scheduled: { schedule: 'users_scheduled', start_users: 'users_in_progress', expire: 'expired', rollback: 'rolled_back' },
  users_in_progress: { users_done: 'awaiting_confirmation', expire: 'expired', rollback: 'rolled_back', extend: 'users_in_progress' },
  awaiting_confirmation: { confirm: 'confirmed', users_reopened: 'users_in_progress', expire: 'expired', rollback: 'rolled_back', extend: 'awaiting_confirmation' },
  // After expiry admins may still migrate on demand and may extend (bounded): the window reopens.
  expired: { extend: 'users_in_progress', users_done: 'awaiting_confirmation', rollback: 'rolled_back', start_users: 'expired' },
  confirmed: { support_done: 'support_migrated' },
  support_migrated: { finish: 'done' },
  done: {},
  rolled_back: { link_product: 'product_linked' },
};

export type Transition<S> = { ok: true; to: S } | { ok: false; code: 'transition_refused'; message: string };

export function nextUserState(from: UserState, event: UserEvent): Transition<UserState> {
  const to = USER[from][event];
  return to ? { ok: true, to } : { ok: false, code: 'transition_refused', message: `a user in state ${from} cannot ${event.replaceAll('_', ' ')}` };
}

export function nextSubscriptionState(from: SubscriptionState, event: SubscriptionEvent): Transition<SubscriptionState> {
  const to = SUBSCRIPTION[from][event];
  return to ? { ok: true, to } : { ok: false, code: 'transition_refused', message: `a subscription migration in state ${from} cannot ${event.replaceAll('_', ' ')}` };
}

export const USER_STATES = Object.keys(USER) as UserState[];
export const SUBSCRIPTION_STATES = Object.keys(SUBSCRIPTION) as SubscriptionState[];

/** States in which the person can sign in through the IMS. */
export const MIGRATED_STATES: ReadonlySet<UserState> = new Set(['migrated', 'activated']);
/** States that count as "accounted for" when an admin completes the migration. */
export const ACCOUNTED_STATES: ReadonlySet<UserState> = new Set(['migrated', 'activated', 'skipped', 'stays_local', 'not_migrated']);
