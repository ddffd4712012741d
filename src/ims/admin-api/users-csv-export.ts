/**
 * `GET /orgs/{orgId}/users.csv`: the organization's users in the Admin Console export layout (UTF-8 with a BOM,
 * CRLF, multi-valued cells comma-joined in quotes). Product Configurations are the names of the org's product
 * profiles the user is in; Admin Roles is `System Administrator` for org admins. Columns the IMS has no data for
 * stay empty.
 */
import type { ImsDirectoryService, ImsOrgAccount } from '../directory/ims-directory.ts';
import { ImsError } from '../directory/ims-directory.ts';
import { emailDomain } from './provision-org-user.ts';
import { ADMIN_ROLE_SYSTEM, csvCell, IDENTITY_TYPE_NAMES, USERS_CSV_COLUMNS } from './users-csv-layout.ts';

const PAGE = 500;

export async function exportOrgUsersCsv(directory: ImsDirectoryService, orgId: string): Promise<string> {
  const org = await directory.getOrg(orgId);
  if (org === undefined) throw new ImsError('not_found', `organization ${orgId} not found`);
  const admins = new Set(org.admins);
  const profilesOf = await profileNamesByMember(directory, orgId);
  const lines = [`\ufeff${USERS_CSV_COLUMNS.join(',')}`];
  for await (const account of allOrgAccounts(directory, orgId)) {
    const cells = [
      IDENTITY_TYPE_NAMES[account.type], account.userName, emailDomain(account.email), account.email,
      account.firstName, account.lastName, '', account.id,
      (profilesOf.get(account.id) ?? []).join(','), admins.has(account.id) ? ADMIN_ROLE_SYSTEM : '',
      '', '', '', '', '', '',
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export async function* allOrgAccounts(directory: ImsDirectoryService, orgId: string): AsyncGenerator<ImsOrgAccount> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await directory.listOrgAccounts(orgId, { offset, limit: PAGE });
    yield* page.items;
    if (page.items.length < PAGE) return;
  }
}

async function profileNamesByMember(directory: ImsDirectoryService, orgId: string): Promise<Map<string, string[]>> {
  const names = new Map<string, string[]>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await directory.listProfiles(orgId, { offset, limit: PAGE });
    for (const profile of page.items) {
      for (const member of profile.members) {
        const list = names.get(member) ?? [];
        list.push(profile.name);
        names.set(member, list);
      }
    }
    if (page.items.length < PAGE) return names;
  }
}
