/**
 * How many requests the user phase sends to an external IdP for a plan: the engine's batches (admins first, then
 * the others, each in key order and in batches of the run's size) times what one batch costs at the adapter's
 * limits. Pure. The figures are the ones test/integration/throttle-eta.test.ts measures on the wire, with and
 * without SCIM Bulk.
 */
import type { PlannedUser } from '../core/migration/plan.ts';
import type { IdpLimits } from '../ports/identity-provider.ts';

/** Bytes of one Bulk operation as the external adapter writes it (measured, rounded up; names and addresses vary). */
const BULK_OP_BYTES = { createUser: 420, linkUser: 260, membersBase: 200, perMember: 40 } as const;
const BULK_ENVELOPE_BYTES = 256;

export interface RunShape {
  /** Users per batch (`migration.batchSize`). */
  batchSize: number;
  /** The app's runs make at least this many batches (smaller ones for small runs); see runUserPhase. */
  progressSteps?: number;
}

type Ready = Pick<PlannedUser, 'userId' | 'action' | 'admin' | 'accountType'>;

/** The IdP requests of the user phase for the users the plan makes ready now (link, create, invite). */
export function userPhaseRequests(users: readonly Ready[], limits: Pick<IdpLimits, 'batchSize' | 'bulk' | 'lookupsPerRequest'>, run: RunShape): number {
  const ready = users.filter((u) => u.action === 'link' || u.action === 'create' || u.action === 'invite');
  let requests = 0;
  for (const admins of [true, false]) {
    const group = ready.filter((u) => u.admin === admins).sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
    if (group.length === 0) continue;
    const size = Math.max(1, run.progressSteps ? Math.min(run.batchSize, Math.ceil(group.length / run.progressSteps)) : run.batchSize);
    for (let i = 0; i < group.length; i += size) requests += batchRequests(group.slice(i, i + size), limits);
  }
  return requests;
}

/**
 * One batch: find by externalId; find by email, per account kind (a SCIM server cannot promise to link nothing, so
 * the engine looks before a create too); link (read, then write the externalId); create (find, then post); grant
 * (one membership PATCH per `batchSize` members). Without Bulk each look-up and write is its own request.
 */
function batchRequests(batch: Ready[], limits: Pick<IdpLimits, 'batchSize' | 'bulk' | 'lookupsPerRequest'>): number {
  const n = batch.length;
  const links = batch.filter((u) => u.action === 'link').length;
  const creates = n - links;
  const personal = batch.filter((u) => u.accountType === 'personal').length;
  const membersPerPatch = Math.max(1, limits.batchSize);
  const membershipPatches = Math.ceil(n / membersPerPatch);
  const bulk = limits.bulk ?? null;
  if (bulk === null) return n + n + 2 * links + 2 * creates + membershipPatches;
  const k = Math.max(1, limits.lookupsPerRequest ?? 1);
  const lookups = (count: number) => Math.ceil(count / k);
  const bulkRequests = (ops: number, opBytes: number) => {
    const perRequest = Math.max(1, Math.min(bulk.maxOperations, Math.floor((bulk.maxPayloadSize - BULK_ENVELOPE_BYTES) / opBytes)));
    return Math.ceil(ops / perRequest);
  };
  return lookups(n) + lookups(personal) + lookups(n - personal)
    + (links > 0 ? lookups(links) + bulkRequests(links, BULK_OP_BYTES.linkUser) : 0)
    + (creates > 0 ? lookups(creates) + bulkRequests(creates, BULK_OP_BYTES.createUser) : 0)
    + bulkRequests(membershipPatches, BULK_OP_BYTES.membersBase + BULK_OP_BYTES.perMember * membersPerPatch);
}
