/**
 * `rehome/product-kit`: "Continue with IMS" and the legacy cutover for any Node product. See docs/product-kit.md.
 */
export { createProductKit, type FinishedLogin, type ProductKit, type ProductKitOptions, type StartedLogin } from './product-kit.ts';
export { apiCredentialGate, formatWhoToAsk, legacyLoginGate, userManagementGate, type GateContext, type GateDecision, type GateUser, type LoginRefusal, type ManagementDecision } from './login-gate.ts';
export { cutoverUser, type CutoverReport } from './cutover.ts';
export type { CutoverStore, CutoverUserFacts, ImsIdentity, LinkStore, LoginMode } from './link-store.ts';
export { isProductKitError, ProductKitError, type FailedLogin, type ProductKitErrorCode } from './product-kit-error.ts';
export { createMigrationNotices, type MigrationNotice, type MigrationNotices, type MigrationNoticesOptions, type NoticePhase } from './migration-notices.ts';
export { BANNER_COOKIE, bannerKey, dismissBannerCookie, dismissedKeys, migrationBanner, type BannerContext, type MigrationBanner } from './migration-banner.ts';
export { SILENT_COOKIE, silentSignInAllowed, silentSignInCookie, type SilentSignInInput } from './silent-sign-in.ts';
