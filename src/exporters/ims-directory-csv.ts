import type { ImsAccount } from '../core/model.ts';

export const IMS_CSV_COLUMNS = ['Identity Type', 'Username', 'Domain', 'Email', 'First Name', 'Last Name', 'Country Code', 'ID',
  'Product Configurations', 'Admin Roles', 'Product Configurations Administered', 'User Groups', 'User Groups Administered',
  'Products Administered', 'Developer Access', 'Auto Assigned Products', 'Email Verified', 'Status'];

const TYPE_NAMES = { personal: 'Adobe ID', enterprise: 'Enterprise ID', federated: 'Federated ID' } as const;

/** The Admin Console users export layout: UTF-8 with a byte-order mark, multi-valued cells comma-joined in quotes. */
export function writeImsDirectoryCsv(accounts: Iterable<ImsAccount>): string {
  const parts = ['\ufeff' + IMS_CSV_COLUMNS.join(',')];
  for (const a of accounts) {
    parts.push([
      TYPE_NAMES[a.type], a.username, a.domain, a.email, a.firstName, a.lastName, a.countryCode, a.id,
      a.productConfigurations.join(','), a.adminRoles.join(','), '', '', '', '', '', '', String(a.emailVerified), a.status,
    ].map((s) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s)).join(','));
  }
  return parts.join('\r\n') + '\r\n';
}
