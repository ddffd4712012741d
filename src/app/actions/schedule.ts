import { extendMigration, scheduleMigration } from '../../engine/admin-actions.ts';
import type { MigrationSummary } from '../../engine/migration-repo.ts';
import type { RehomeApp } from '../compose.ts';

/** Sets or moves the user-migration date (the configured 8-30-day rule, midnight in the subscription's zone). */
export function scheduleUserMigration(app: RehomeApp, input: { subscriptionId: string; date: string; actor: string }): Promise<MigrationSummary> {
  return scheduleMigration({ db: app.store.kysely, now: app.now, actor: input.actor }, input.subscriptionId, input.date, app.scheduleRules);
}

/** Extends the self-service window by `migration.extensionDays`, at most `migration.maxExtensions` times. */
export function extendWindow(app: RehomeApp, input: { subscriptionId: string; actor: string }): Promise<MigrationSummary> {
  return extendMigration({ db: app.store.kysely, now: app.now, actor: input.actor }, input.subscriptionId, app.scheduleRules);
}
