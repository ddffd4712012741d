import type { Kysely } from 'kysely';
import { outstandingAdmins } from '../engine/admins-first.ts';
import { migrationDb } from '../engine/migration-repo.ts';
import { fullName, listPeople } from '../core/glossary/people.ts';

/** The admins the other users wait for (engine/admins-first.ts), as the console names and offers them. */
export interface WaitingAdmins {
  count: number;
  /** "Ada Hopper (1001) and Ken Lamarr (1003)". */
  names: string;
  /** Those who can move now (eligible, or failed to retry): "Migrate the admins now". */
  movable: string[];
  movableNames: string;
  /** Those who cannot (waiting for verification, blocked): skip them, with the second confirmation. */
  stuck: string[];
  stuckNames: string;
}

const MOVABLE = new Set(['eligible', 'failed']);
const STUCK = new Set(['needs_email_verification', 'blocked']);
/** A subscription has a handful of admins; past this many the page names the first and counts the rest. */
const MAX_ADMINS = 1000;

export async function loadWaitingAdmins(kysely: Kysely<any>, subscriptionId: string): Promise<WaitingAdmins> {
  const w = await outstandingAdmins(migrationDb(kysely), subscriptionId, MAX_ADMINS);
  const names: Record<string, string> = Object.fromEntries(w.first.map((a) => [a.userId, fullName(a.firstName, a.lastName)]));
  const ids = (keep: (state: string) => boolean) => w.first.filter((a) => keep(a.state)).map((a) => a.userId);
  const all = ids(() => true);
  const movable = ids((s) => MOVABLE.has(s));
  const stuck = ids((s) => STUCK.has(s));
  const more = Math.max(0, w.count - all.length);
  const list = (xs: string[], extra = 0) => listPeople(xs, names, 5) + (extra > 0 ? ` and ${extra} more` : '');
  return { count: w.count, names: list(all, more), movable, movableNames: list(movable), stuck, stuckNames: list(stuck) };
}
