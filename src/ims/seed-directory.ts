import type { ImsAccount } from '../core/model.ts';
import { isImsError, type ImsDirectoryService } from './directory/ims-directory.ts';

/**
 * Demo and test seeding: makes the embedded IMS hold the accounts of an Admin Console export, as they are there
 * (ids, types, verification, status) — the IMS's own state, mirrored, not an import of product data. Accounts of
 * other organizations' domains get an organization of their own. Idempotent by account id.
 */
export async function seedDirectoryFromExport(directory: ImsDirectoryService, accounts: ImsAccount[], org: { id: string; name: string; claimedDomains: string[] }): Promise<number> {
  if (!(await directory.getOrg(org.id))) await directory.createOrg({ id: org.id, name: org.name });
  for (const d of org.claimedDomains) await directory.claimDomain(org.id, d, 'seed').catch((e) => { if (!isImsError(e, 'domain_claimed')) throw e; });
  let created = 0;
  for (const a of accounts) {
    if (!a.id || (await directory.getAccount(a.id))) continue;
    let owner: string | undefined;
    if (a.type !== 'personal') {
      owner = org.claimedDomains.includes(a.domain) ? org.id : `other-org:${a.domain}`;
      if (!(await directory.getOrg(owner))) {
        await directory.createOrg({ id: owner, name: `Organization of ${a.domain}` });
        await directory.claimDomain(owner, a.domain, 'seed').catch(() => {});
      }
    }
    try {
      await directory.createAccount({
        id: a.id, email: a.email, emailVerified: a.emailVerified, type: a.type, firstName: a.firstName, lastName: a.lastName,
        userName: `${a.username || a.email}#${a.id}`, status: a.status, ...(owner ? { orgId: owner } : {}),
      });
      created++;
    } catch (e) {
      // Two verified accounts with one address (an ambiguous export row) cannot both exist: keep the first.
      if (!isImsError(e, 'email_taken') && !isImsError(e, 'account_exists')) throw e;
    }
  }
  return created;
}
