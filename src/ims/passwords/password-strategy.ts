/**
 * How people keep (or set) a password when their subscription moves to the IMS, chosen per subscription:
 * - `invite`: no password moves; each person gets an invitation to set one (the reference scenario).
 * - `import_hashes`: the product's hashes are imported after `checkHashSample` passes; the first sign-in rehashes.
 * - `lazy`: no hash moves; the first IMS sign-in asks the product whether the password is right, then stores an
 *   argon2id hash of it.
 * None of them ever marks an email verified: knowing a password proves nothing about a mailbox.
 */
import type { ImsAccountRecord, ImsDirectoryService } from '../directory/ims-directory.ts';
import { hashPassword, LegacyHashError, verifyPassword } from './legacy-hash.ts';

export type PasswordStrategy = 'invite' | 'import_hashes' | 'lazy';
export const PASSWORD_STRATEGIES: readonly PasswordStrategy[] = ['invite', 'import_hashes', 'lazy'];

/** The product's check of a legacy password, for lazy migration (implemented by a ProductSource adapter). */
export interface LegacyPasswordVerifier {
  /**
   * True when `password` is the product user's current password. Identify by `productUserId` (the externalId the
   * account is linked with) whenever known; `email` only as the product's own sign-in name. `subscriptionId` names
   * the product subscription (tenant) the user was migrated from. Throws when the product cannot answer (down,
   * timeout): that is not a wrong password.
   */
  verify(user: { productUserId?: string; email: string; subscriptionId?: string }, password: string): Promise<boolean>;
}

export type SignInResult =
  | { ok: true; migrated: boolean; rehashed: boolean }
  | { ok: false; reason: 'invalid_credentials' | 'no_password' | 'account_disabled' };

export interface LazySignInInput {
  directory: Pick<ImsDirectoryService, 'setPasswordHash'>;
  verifier: LegacyPasswordVerifier;
  strategy: PasswordStrategy;
  account: Pick<ImsAccountRecord, 'id' | 'email' | 'status' | 'passwordHash'>;
  /** The product user the account is linked to, when known. */
  productUserId?: string;
  /** The subscription the account was migrated from (the verifier asks that tenant). */
  subscriptionId?: string;
  password: string;
}

/**
 * Checks a password for an IMS account during and after a migration: an IMS or imported hash first; with no hash
 * and the `lazy` strategy, the product's verifier, then an argon2id hash is stored so the product is never asked
 * again. Touches only the password hash.
 */
export async function signInWithLazyMigration(input: LazySignInInput): Promise<SignInResult> {
  const { account, password, directory } = input;
  if (account.status !== 'active') return { ok: false, reason: 'account_disabled' };
  if (account.passwordHash) {
    let result;
    try {
      result = await verifyPassword(account.passwordHash, password);
    } catch (error) {
      // An imported hash we cannot read must not lock the person out silently nor let them in.
      if (error instanceof LegacyHashError) return { ok: false, reason: 'invalid_credentials' };
      throw error;
    }
    if (!result.ok) return { ok: false, reason: 'invalid_credentials' };
    if (result.needsRehash) await directory.setPasswordHash(account.id, await hashPassword(password));
    return { ok: true, migrated: false, rehashed: result.needsRehash };
  }
  if (input.strategy !== 'lazy') return { ok: false, reason: 'no_password' };
  const user = {
    email: account.email,
    ...(input.productUserId === undefined ? {} : { productUserId: input.productUserId }),
    ...(input.subscriptionId === undefined ? {} : { subscriptionId: input.subscriptionId }),
  };
  if (!(await input.verifier.verify(user, password))) return { ok: false, reason: 'invalid_credentials' };
  await directory.setPasswordHash(account.id, await hashPassword(password));
  return { ok: true, migrated: true, rehashed: true };
}
