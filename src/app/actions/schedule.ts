import type { Kysely } from 'kysely';
import { ssoPrerequisite } from '../../core/migration/sso-prerequisite.ts';
import { extendMigration, scheduleMigration } from '../../engine/admin-actions.ts';
import { getMigrationSummary, migrationDb, readPlanFacts, type MigrationSummary, type PlanFacts } from '../../engine/migration-repo.ts';
import type { StatusTables } from '../../engine/status-schema.ts';
import type { RehomeApp } from '../compose.ts';
import { ssoConfigured } from './plan-subscription.ts';

/** Sets or moves the user-migration date (the configured 8-30-day rule, midnight in the subscription's zone). */
export async function scheduleUserMigration(app: RehomeApp, input: { subscriptionId: string; date: string; actor: string }): Promise<MigrationSummary> {
  const prerequisites = await currentPrerequisites(app, input.subscriptionId);
  return scheduleMigration({ db: app.store.kysely, now: app.now, actor: input.actor }, input.subscriptionId, input.date, app.scheduleRules, prerequisites);
}

/** States of users who no longer move: skipped by an admin, staying local, not migrated. */
const NOT_MOVING = ['skipped', 'stays_local', 'not_migrated'];

/**
 * The plan's prerequisites with `sso_not_configured` re-derived from now: its users may have been skipped since
 * (`rehome skip`, the console), or SSO configured in the IMS (`rehome ims org sso set`). Undefined: the stored ones.
 */
async function currentPrerequisites(app: RehomeApp, subscriptionId: string): Promise<PlanFacts['prerequisites'] | undefined> {
  const db = migrationDb(app.store.kysely);
  const facts = await readPlanFacts(db, subscriptionId);
  const m = await getMigrationSummary(db, subscriptionId);
  if (!facts || !m?.org_id || !facts.prerequisites.some((p) => p.code === 'sso_not_configured')) return undefined;
  // Users who sign in with SSO while the org had none carry the readiness reason sso_not_configured (migration 0015).
  const held = await (app.store.kysely as Kysely<StatusTables & { mig_users: { subscription_id: string; user_id: string; state: string } }>)
    .selectFrom('mig_user_reasons').innerJoin('mig_users', (j) => j.onRef('mig_users.subscription_id', '=', 'mig_user_reasons.subscription_id').onRef('mig_users.user_id', '=', 'mig_user_reasons.user_id'))
    .select('mig_users.state').where('mig_user_reasons.subscription_id', '=', subscriptionId).where('mig_user_reasons.reason', '=', 'sso_not_configured').execute();
  const now = ssoPrerequisite({
    users: held.map((u) => ({ sso: true, action: 'link' as const, skipped: NOT_MOVING.includes(u.state) })),
    ssoConfigured: await ssoConfigured(app, { id: m.org_id, ssoConfigured: false }), orgId: m.org_id,
  });
  return [...facts.prerequisites.filter((p) => p.code !== 'sso_not_configured'), ...(now ? [now] : [])];
}

/** Extends the self-service window by `migration.extensionDays`, at most `migration.maxExtensions` times. */
export function extendWindow(app: RehomeApp, input: { subscriptionId: string; actor: string }): Promise<MigrationSummary> {
  return extendMigration({ db: app.store.kysely, now: app.now, actor: input.actor }, input.subscriptionId, app.scheduleRules);
}
