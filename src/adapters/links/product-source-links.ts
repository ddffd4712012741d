import type { ProductSource } from '../../ports/product-source.ts';
import type { IdentityLinkWriter } from '../../ports/engine-ports.ts';

/**
 * Writes the product's link table through its ProductSource (DESIGN.md "Who owns what"): the link, then the user's
 * cutover (legacy sessions revoked, pending reset and email-change tokens dropped, login mode `ims`). Undoing puts
 * the user back on the product's own login. Both directions are idempotent in the product API.
 */
export function productSourceLinks(source: ProductSource): IdentityLinkWriter {
  return {
    async writeIdentityLink(userId, link) {
      await source.writeIdentityLink(userId, link);
      await source.cutoverUser(userId);
    },
    async removeIdentityLink(userId) {
      await source.removeIdentityLink(userId);
      await source.setLoginMode(userId, 'legacy');
    },
  };
}
