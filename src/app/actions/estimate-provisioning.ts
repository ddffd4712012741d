import { estimateEta, type Eta } from '../../adapters/idp/external/eta.ts';
import type { MigrationPlan } from '../../core/migration/plan.ts';
import { userPhaseRequests } from '../../engine/request-estimate.ts';
import type { IdpDescription } from '../../ports/identity-provider.ts';
import type { RehomeApp } from '../compose.ts';
import { PROGRESS_STEPS } from './migrate-users.ts';

/** Round trip assumed before anything was measured; with a rate limit as low as large vendors' it does not matter. */
const ASSUMED_LATENCY_MS = 250;
/** How long the planner waits for the IdP to say what it supports before estimating without Bulk. */
const DISCOVERY_PATIENCE_MS = 10_000;

export interface ProvisioningEstimate extends Eta {
  /** Users the plan makes ready now (link, create, invite). */
  users: number;
  requestsPerMinute: number | null;
  concurrency: number;
  /** Bulk as the adapter will use it; null without. */
  bulk: IdpDescription['limits']['bulk'];
  /** Why the estimate is without Bulk although the IdP may have it (the IdP could not be asked), if so. */
  discoveryFailed?: string;
}

/**
 * How long the user phase of `plan` takes at an external IdP's limits (undefined for the embedded IMS, which has
 * none): the IdP is asked what it supports (SCIM Bulk), and the requests are counted as the engine will send them.
 * `rehome plan` prints it; the figure is honest only because test/integration/throttle-eta.test.ts measures it.
 */
export async function estimateProvisioning(app: RehomeApp, plan: MigrationPlan): Promise<ProvisioningEstimate | undefined> {
  if (app.config.idp.kind !== 'external') return undefined;
  const orgId = plan.product.flatMap((s) => (s.step === 'ensure_org' ? [s.orgId] : []))[0] ?? '';
  const { idp } = app.enginePorts({ orgId, subscriptionId: plan.subscriptionId, actor: 'planner' });
  let description = idp.describe();
  let discoveryFailed: string | undefined;
  try {
    if (idp.discover) description = await idp.discover(AbortSignal.timeout(DISCOVERY_PATIENCE_MS));
  } catch (error) {
    discoveryFailed = (error as Error).message;
  }
  const { limits } = description;
  const requests = userPhaseRequests(plan.users, limits, { batchSize: app.config.migration.batchSize, progressSteps: PROGRESS_STEPS });
  const eta = estimateEta({ users: requests, batchSize: 1, requestsPerMinute: limits.requestsPerMinute, concurrency: limits.concurrency, latencyMs: ASSUMED_LATENCY_MS });
  const c = plan.counts;
  const users = c.link + c.create + c.invite;
  return {
    ...eta, users, usersPerMinute: eta.minutes > 0 ? users / eta.minutes : eta.usersPerMinute,
    requestsPerMinute: limits.requestsPerMinute, concurrency: limits.concurrency, bulk: limits.bulk ?? null,
    ...(discoveryFailed === undefined ? {} : { discoveryFailed }),
  };
}
