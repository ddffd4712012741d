import type { ImsDirectory, SubscriptionSnapshot } from '../model.ts';
import type { EmailPolicy } from '../email/normalize-email.ts';
import { createReadinessRun } from './readiness-run.ts';
import type { ReadinessReport } from './report.ts';

export interface ReadinessInput {
  /** One or more subscriptions (e.g. production and sandbox); one person in several is one IMS account. */
  subscriptions: SubscriptionSnapshot[];
  ims: ImsDirectory;
  policy?: EmailPolicy;
}

/**
 * Pure: decides every product user's readiness. Same input, same report, byte for byte. The report is the run of
 * readiness-run.ts over these arrays, so a report streamed from files is the same report.
 */
export function planReadiness(input: ReadinessInput): ReadinessReport {
  const run = createReadinessRun(input.subscriptions.map((s) => s.subscription), {
    ...(input.policy ? { policy: input.policy } : {}),
    ...(input.ims.domainsClaimedElsewhere ? { domainsClaimedElsewhere: input.ims.domainsClaimedElsewhere } : {}),
  });
  for (const account of input.ims.accounts) run.addImsAccount(account);
  input.subscriptions.forEach((s, i) => {
    for (const user of s.users) run.addUser(i, user);
  });
  const outcome = run.finish();
  const users = [...outcome.users()];
  return { version: 1, summary: outcome.summary(), users };
}
