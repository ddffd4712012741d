// Engine ports on the embedded IMS for tests of the engine itself (no password provisioning, no product): the
// application composes its own in src/app/compose.ts; faces never use this.
import { createEmbeddedIdp } from '../../src/adapters/idp/embedded/embedded-idp.ts';
import { createStoreImsDirectory } from '../../src/ims/directory/store-ims-directory.ts';
import type { StoreAdapter } from '../../src/store/open-store.ts';
import type { EnginePorts, IdentityLinkWriter } from '../../src/ports/engine-ports.ts';
import { createEmbeddedOrgLinker } from '../../src/adapters/idp/embedded/embedded-org-linker.ts';
import { createRehomeOwnedLinks } from '../../src/adapters/links/rehome-owned-links.ts';

/** Engine ports for a run against the embedded IMS on the same store (the one-machine default). */
export function embeddedEnginePorts(opts: { store: StoreAdapter; orgId: string; issuer: string; actor: string; now?: () => Date; links?: IdentityLinkWriter; onEvent?: EnginePorts['onEvent'] }): EnginePorts {
  const directory = createStoreImsDirectory(opts.store);
  return {
    db: opts.store.kysely,
    idp: createEmbeddedIdp({ directory, orgId: opts.orgId, issuer: opts.issuer }),
    orgs: createEmbeddedOrgLinker(directory),
    links: opts.links ?? createRehomeOwnedLinks(),
    now: opts.now ?? (() => new Date()),
    actor: opts.actor,
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  };
}
