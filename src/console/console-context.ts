import type { ScheduleRules } from '../core/migration/schedule.ts';
import type { RehomeApp } from '../app/compose.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import type { Authz } from './authz.ts';
import type { LiveHub } from './sse.ts';
import type { MigrationRuns } from './migration-runs.ts';
import type { ConsoleSession, Flash, Sessions } from './session.ts';
import type { SubscriptionData } from './subscription-data.ts';
import type { SupportReports } from '../app/support-reports.ts';

/** Everything the console's routes share, built once by `createConsoleHandler`. */
export interface ConsoleContext {
  /** Every action goes through the application layer (src/app/actions), as the CLI's and the workers' do. */
  app: RehomeApp;
  store: StoreAdapter;
  sessions: Sessions;
  authz: Authz;
  data: SubscriptionData;
  runs: MigrationRuns;
  hub: LiveHub;
  now: () => Date;
  rules: ScheduleRules;
  /** The server's public origin (`Origin` header check). */
  origin: string;
  support: SupportReports;
}

/** A request the router resolved to a subscription the signed-in admin may act on. */
export interface SubscriptionRequest {
  session: ConsoleSession;
  subscriptionId: string;
  url: URL;
  /** The flash this page view shows (taken before the page renders, so a form can show its refused value). */
  flash?: Flash;
}
