import { isImsError, type ImsDirectoryService } from '../../../ims/directory/ims-directory.ts';
import type { OrgLinker } from '../../../ports/engine-ports.ts';

/** Phase 1 against the embedded IMS: the organization is created (or found) and its domains claimed. */
export function createEmbeddedOrgLinker(directory: ImsDirectoryService): OrgLinker {
  return {
    async orgExists(id) {
      return (await directory.getOrg(id)) !== undefined;
    },
    async ensureOrg({ id, name, claimedDomains, actor }) {
      const existing = await directory.getOrg(id);
      if (!existing) await directory.createOrg({ id, name });
      for (const domain of claimedDomains) {
        try {
          await directory.claimDomain(id, domain, actor);
        } catch (e) {
          // Claimed by another organization: readiness reported those users as domain_claimed_elsewhere already.
          if (!isImsError(e, 'domain_claimed')) throw e;
        }
      }
      return { existed: existing !== undefined };
    },
  };
}

/** An external IdP's organizations are managed by its own admins: Rehome links to one that exists. */
export function createExternalOrgLinker(): OrgLinker {
  return {
    orgExists: async () => true,
    ensureOrg: async () => ({ existed: true }),
  };
}
