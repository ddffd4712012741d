import { createEmbeddedIdp } from '../adapters/idp/embedded/embedded-idp.ts';
import { createStoreImsDirectory } from '../ims/directory/store-ims-directory.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import type { EnginePorts, IdentityLinkWriter } from '../ports/engine-ports.ts';
import { createEmbeddedOrgLinker } from '../adapters/idp/embedded/embedded-org-linker.ts';
import { createRehomeOwnedLinks } from '../adapters/links/rehome-owned-links.ts';

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
