// The example production subscription (examples/acme) taken to where its admin completes the migration: imported,
// planned, the product linked, the admins and the verified users migrated, everyone else skipped. For suites about
// what comes after (phase 3 and the links), on any store.
import { planMigration } from '../../src/core/migration/plan-migration.ts';
import { addDays, localDate } from '../../src/core/migration/schedule.ts';
import { actOnUsers, confirmMigration, scheduleMigration } from '../../src/engine/admin-actions.ts';
import { migrationDb } from '../../src/engine/migration-repo.ts';
import { applyProductPhase } from '../../src/engine/product-phase.ts';
import { runUserPhase } from '../../src/engine/user-phase.ts';
import { readImsDirectory } from '../../src/importers/ims-directory.ts';
import { readProductUsers } from '../../src/importers/product-users.ts';
import { readSubscription } from '../../src/importers/subscription.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import { seedDirectoryFromExport } from '../../src/ims/seed-directory.ts';
import type { StoreAdapter } from '../../src/app/rehome-store.ts';
import { skipAdminsWhoCannotMove } from './admins-first.ts';
import { embeddedEnginePorts } from './embedded-engine.ts';

export const ACME = '123-ABC-456';
export const acmeFile = (f: string) => new URL(`../../examples/acme/${f}`, import.meta.url).pathname;

/** Migrates everyone who can move and skips the rest; answers the admin's last step, "Complete Migration". */
export async function migrateAcme(store: StoreAdapter): Promise<() => Promise<void>> {
  const now = () => new Date();
  const sub = readSubscription(acmeFile('subscription.json'));
  const accounts = readImsDirectory(acmeFile('ims-directory.csv'), { claimedDomains: sub.imsOrg.claimedDomains });
  const ref = await store.saveSnapshot({ subscription: sub, users: readProductUsers(acmeFile('users.csv')), ims: { accounts }, sources: {}, at: '2026-11-20T12:00:00.000Z' });
  await seedDirectoryFromExport(createStoreImsDirectory(store), accounts, sub.imsOrg);
  const plan = planMigration({ snapshot: (await store.loadSnapshot({ snapshotId: ref.id }))!, passwordStrategy: 'invite', orgExists: true });
  plan.prerequisites = plan.prerequisites.filter((x) => x.code !== 'sso_not_configured');
  const ports = embeddedEnginePorts({ store, orgId: sub.imsOrg.id, issuer: 'http://127.0.0.1:1/ims', actor: 'test', now });
  await applyProductPhase(plan, ports, { consent: true });
  await scheduleMigration(ports, ACME, addDays(localDate(now(), plan.timeZone), 10));
  await skipAdminsWhoCannotMove(store.kysely, ACME, now);
  await runUserPhase({ subscriptionId: ACME, concurrency: 4 }, ports);
  const open = await migrationDb(store.kysely).selectFrom('mig_users').select('user_id').where('subscription_id', '=', ACME).where('state', 'in', ['needs_email_verification', 'blocked']).execute();
  await actOnUsers(ports, ACME, open.map((u) => u.user_id), 'skip', 'not verified before the deadline');
  return async () => { await confirmMigration(ports, ACME, true); };
}
