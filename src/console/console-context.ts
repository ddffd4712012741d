import type { ScheduleRules } from '../core/migration/schedule.ts';
import type { EngineEvent, EnginePorts } from '../ports/engine-ports.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import type { Authz } from './authz.ts';
import type { LiveHub } from './sse.ts';
import type { MigrationRuns } from './migration-runs.ts';
import type { ConsoleSession, Sessions } from './session.ts';
import type { SubscriptionData } from './subscription-data.ts';
import type { SupportReports } from '../app/support-reports.ts';
import type { SendVerification } from '../app/verification-sender.ts';
import type { PasswordStrategy } from '../core/migration/plan.ts';
import type { EmailPolicy } from '../core/email/normalize-email.ts';

/** Everything the console's routes share, built once by `createConsoleHandler`. */
export interface ConsoleContext {
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
  portsFor(input: { orgId: string; subscriptionId: string; actor: string; onEvent?: (e: EngineEvent) => void }): EnginePorts;
  planning: { passwordStrategy: PasswordStrategy; automaticThreshold?: number; policy?: EmailPolicy };
  sendVerification: SendVerification | undefined;
  support: SupportReports;
}

/** A request the router resolved to a subscription the signed-in admin may act on. */
export interface SubscriptionRequest {
  session: ConsoleSession;
  subscriptionId: string;
  url: URL;
}
