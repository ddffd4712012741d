import { computeProgress, type MigrationProgress } from '../../core/migration/progress.ts';
import { countUsersByState, errorsByCode, migrationDb, requireMigrationSummary } from '../../engine/migration-repo.ts';
import type { RehomeApp } from '../compose.ts';

export interface MigrationStatus {
  subscriptionId: string;
  state: string;
  mode: string;
  orgId: string | null;
  profileId: string | null;
  migrationDate: string | null;
  startsAt: string | null;
  windowExpiresAt: string | null;
  extensions: number;
  progress: MigrationProgress;
  byState: Record<string, number>;
  /** Failed users by code (`plan_drift`, `idp_throttled`...), with one message as an example. */
  errors: { code: string; count: number; example: string }[];
}

/**
 * Where a migration stands (`rehome status`): both progress figures, users per state, failures by code. Reads the
 * migration row without its plan and the counters of migration 0015, so it answers as fast at a million users.
 */
export async function migrationStatus(app: RehomeApp, subscriptionId: string): Promise<MigrationStatus> {
  const db = migrationDb(app.store.kysely);
  const m = await requireMigrationSummary(db, subscriptionId);
  const byState = await countUsersByState(db, m.subscription_id);
  return {
    subscriptionId: m.subscription_id, state: m.state, mode: m.mode, orgId: m.org_id, profileId: m.profile_id,
    migrationDate: m.migration_date, startsAt: m.starts_at, windowExpiresAt: m.window_expires_at, extensions: m.extensions,
    progress: computeProgress(byState), byState: byState as Record<string, number>, errors: await errorsByCode(db, m.subscription_id),
  };
}
