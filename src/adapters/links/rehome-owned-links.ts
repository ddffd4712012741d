import type { IdentityLinkWriter } from '../../ports/engine-ports.ts';

/**
 * For products without a link API (file exports): Rehome's own store is the link table — every migrated user's
 * IMS subject is in `mig_users.ims_subject`, exported by `rehome status --format json`. Nothing else to write.
 */
export function createRehomeOwnedLinks(): IdentityLinkWriter {
  return {
    writeIdentityLink: async () => {},
    removeIdentityLink: async () => {},
  };
}
