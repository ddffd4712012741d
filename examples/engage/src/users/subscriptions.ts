import type { EngageDb } from '../db/engage-db.ts';

export interface EngageSubscription {
  id: string;
  name: string;
  instance: string;
  imsTenant: string;
  timeZone: string;
  movedAt: string | null;
}

interface Row {
  id: string;
  name: string;
  instance: string;
  ims_tenant: string;
  time_zone: string;
  moved_at: string | null;
}

const toSubscription = (r: Row): EngageSubscription => ({ id: r.id, name: r.name, instance: r.instance, imsTenant: r.ims_tenant, timeZone: r.time_zone, movedAt: r.moved_at });

export function getSubscription(db: EngageDb, id: string): EngageSubscription | undefined {
  const row = db.sqlite.prepare('SELECT * FROM subscriptions WHERE id = ?').get(id) as Row | undefined;
  return row && toSubscription(row);
}

export function findSubscriptionByInstance(db: EngageDb, instance: string): EngageSubscription | undefined {
  const row = db.sqlite.prepare('SELECT * FROM subscriptions WHERE instance = ?').get(instance) as Row | undefined;
  return row && toSubscription(row);
}

export function listSubscriptions(db: EngageDb): EngageSubscription[] {
  return (db.sqlite.prepare('SELECT * FROM subscriptions ORDER BY id').all() as unknown as Row[]).map(toSubscription);
}

/** The subscription's cutover: from now on its user management lives in the IMS. Keeps the first instant. */
export function markSubscriptionMoved(db: EngageDb, id: string, at: string): boolean {
  return Number(db.sqlite.prepare('UPDATE subscriptions SET moved_at = COALESCE(moved_at, ?) WHERE id = ?').run(at, id).changes) === 1;
}

/** The old home: `/app-<instance>/`. */
export const oldAppPath = (s: EngageSubscription): string => `/app-${s.instance}/`;
/** The new home (after the move): the shell at `/` with the tenant route in the fragment. */
export const newAppFragment = (s: EngageSubscription): string => `#/@${s.imsTenant}/so:${s.id}/engage/`;
