import { imsDb, type ImsStoreHandle } from '../ims-tables.ts';
import { createAccountMethods } from './directory-accounts.ts';
import { createBulkMethods } from './directory-bulk.ts';
import { createDirectoryContext } from './directory-context.ts';
import { createMemberMethods } from './directory-members.ts';
import { createOrgMethods } from './directory-orgs.ts';
import { createProfileMethods } from './directory-profiles.ts';
import type { ImsAccountRecord, ImsDirectoryService } from './ims-directory.ts';
import type { EmailPolicy } from '../../core/email/normalize-email.ts';

export interface StoreImsDirectoryOptions {
  /** Clock (default: the system clock). */
  now?: () => Date;
  /** Id source for accounts, orgs and profiles (default: time-ordered UUIDs, version 7). */
  newId?: () => string;
  /** How addresses are compared (the app's `matching.*`); default: local parts case-folded. */
  emailPolicy?: EmailPolicy;
  /** Told of sign-ups cancelled because an organization provisioned their address, to mail their owners. */
  onSignUpsCancelled?: (accounts: ImsAccountRecord[]) => Promise<void>;
}

/** The IMS directory on Rehome's store (SQLite or PostgreSQL, migration `0002_ims`). */
export function createStoreImsDirectory(store: ImsStoreHandle, options: StoreImsDirectoryOptions = {}): ImsDirectoryService {
  const ctx = createDirectoryContext(imsDb(store), options);
  return {
    ...createAccountMethods(ctx),
    ...createOrgMethods(ctx),
    ...createMemberMethods(ctx),
    ...createProfileMethods(ctx),
    ...createBulkMethods(ctx),
  };
}
