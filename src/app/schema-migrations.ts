import type { Migration } from '../store/migrations/migration.ts';
import { coreMigration } from '../store/migrations/0001-core.ts';
import { imsMigration, imsPendingDomainsMigration, imsScimFidelityMigration, imsThrottleExpiryMigration } from '../ims/ims-migrations.ts';
import { adminApiMigration, provisioningTokenMigration } from '../ims/admin-api/admin-migrations.ts';
import { migrationEngineMigration, planApartMigration, planTargetsMigration } from '../engine/migration-schema.ts';
import { commsMigration } from '../comms/comms-schema.ts';
import { consoleMigration } from './console-schema.ts';
import { workersMigration } from '../engine/workers/worker-schema.ts';
import { passwordsMigration } from '../ims/passwords/passwords-migration.ts';
import { supportTicketsMigration } from '../tickets/support-schema.ts';
import { reportsMigration } from '../reports/report-store.ts';
import { consoleAtScaleMigration, searchFoldsMigration, subscriptionStatusMigration } from '../engine/status-schema.ts';

export type { Migration } from '../store/migrations/migration.ts';

/** Every migration in the order it runs. Append only: new modules add their entry at the end. */
export const migrations: Migration[] = [coreMigration, imsMigration, adminApiMigration, migrationEngineMigration, supportTicketsMigration, commsMigration, consoleMigration, workersMigration, passwordsMigration, reportsMigration, imsPendingDomainsMigration, planTargetsMigration, imsThrottleExpiryMigration, consoleAtScaleMigration, subscriptionStatusMigration, planApartMigration, imsScimFidelityMigration, provisioningTokenMigration, searchFoldsMigration];
