import type { UserState } from './states.ts';

export interface MigrationProgress {
  /** Users who must verify and migrate: everyone but API-only and deactivated/locked users. */
  required: number;
  skipped: number;
  /** Email verification: verified among the required users who are not skipped. */
  verification: { verified: number; of: number; percent: number };
  /** User migration: migrated (or activated) or skipped, among the required users (the reference console's figure). */
  migration: { done: number; of: number; percent: number };
}

/** The two progress bars of the Migration Status tab, from counts per user state. Pure. */
export function computeProgress(byState: Partial<Record<UserState, number>>): MigrationProgress {
  const n = (s: UserState) => byState[s] ?? 0;
  const total = Object.values(byState).reduce((a, b) => a + (b ?? 0), 0);
  const required = total - n('stays_local') - n('not_migrated');
  const skipped = n('skipped');
  const unverified = n('needs_email_verification');
  const verifyOf = required - skipped;
  const verified = verifyOf - unverified;
  const done = n('migrated') + n('activated') + skipped;
  const pct = (a: number, b: number) => (b === 0 ? 100 : Math.floor((a / b) * 1000) / 10);
  return { required, skipped, verification: { verified, of: verifyOf, percent: pct(verified, verifyOf) }, migration: { done, of: required, percent: pct(done, required) } };
}
