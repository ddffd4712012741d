import type { CutoverStore } from './link-store.ts';
import { ProductKitError } from './product-kit-error.ts';

export interface CutoverReport {
  userId: string;
  revokedSessions: number;
  droppedTokens: number;
}

/**
 * Moves one user to IMS-only sign-in. Order matters: the login mode changes first, so no new password session can
 * start while the old ones are revoked; then pending password-reset and email-change tokens go, because they are
 * how an account is taken over mid-move. Safe to repeat (a retry finds nothing left to revoke).
 */
export async function cutoverUser(store: CutoverStore, userId: string): Promise<CutoverReport> {
  const work = async (): Promise<CutoverReport> => {
    const facts = await store.describeUser(userId);
    if (!facts) throw new ProductKitError('not_found', `No user ${userId}.`);
    if (facts.apiOnly) throw new ProductKitError('api_only_user', `User ${userId} is API-only: it keeps its API credentials and is never cut over.`);
    if (!facts.linked) throw new ProductKitError('not_linked', `User ${userId} has no IMS identity link yet; cutting over would lock them out.`);
    await store.setLoginMode(userId, 'ims');
    const revokedSessions = await store.revokeLegacySessions(userId);
    const droppedTokens = await store.dropPendingAccountTokens(userId);
    return { userId, revokedSessions, droppedTokens };
  };
  return store.transaction ? store.transaction(work) : work();
}
