// The application layer: one function per action, called alike by the CLI, the console and the workers.
export { planSubscription } from './plan-subscription.ts';
export { estimateProvisioning, type ProvisioningEstimate } from './estimate-provisioning.ts';
export { linkProduct, type LinkProductInput } from './link-product.ts';
export { scheduleUserMigration, extendWindow } from './schedule.ts';
export { migrateUsers, type MigrateUsersInput, type MigrateUsersResult } from './migrate-users.ts';
export { changeUsers, type ChangeUsersInput, type UserChange } from './change-users.ts';
export { sendVerification, type VerificationSendResult } from './send-verification.ts';
export { confirmMigration, rollbackMigration } from './confirm.ts';
export { workQueue, type WorkQueueInput } from './work-queue.ts';
export { moveSupportTickets, rewriteStoredLinks, verifyAccess } from './phase-three.ts';
export { addOrgDomain, listOrgDomains, verifyOrgDomain, type OrgDomain } from './ims-domains.ts';
export { importSnapshots, type ImportSnapshotsResult } from './import-snapshots.ts';
export { migrationStatus, type MigrationStatus } from './migration-status.ts';
export { exportImsDirectory } from './export-ims-directory.ts';
export { createImsOrg, setImsOrgSso, clearImsOrgSso, type ImsOrgView, type ImsOrgSsoView } from './ims-orgs.ts';
export { createImsClient, issueImsClientToken, listImsClients, revokeImsClient, parseClientScope, type NewImsClient, type ImsClientToken, type ImsClientView } from './ims-clients.ts';
export { importProgram, planProgramWaves, type ProgramImportResult, type ProgramPlanInput, type ProgramPlanResult } from './program.ts';
