/**
 * The Admin Console users CSV layout, shared by export and import: the columns, the identity type names, and the
 * guard against spreadsheet formula injection.
 */
import type { AccountType } from '../directory/ims-directory.ts';

export const USERS_CSV_COLUMNS = [
  'Identity Type', 'Username', 'Domain', 'Email', 'First Name', 'Last Name', 'Country Code', 'ID',
  'Product Configurations', 'Admin Roles', 'Product Configurations Administered', 'User Groups',
  'User Groups Administered', 'Products Administered', 'Developer Access', 'Auto Assigned Products',
] as const;

export const IDENTITY_TYPE_NAMES: Record<AccountType, string> = {
  personal: 'Adobe ID',
  enterprise: 'Enterprise ID',
  federated: 'Federated ID',
};

/** Spellings accepted on import (letter case, spaces, `_` and `-` ignored), as the Admin Console and UMAPI write them. */
export const IDENTITY_TYPES: ReadonlyMap<string, AccountType> = new Map([
  ['adobeid', 'personal'], ['personal', 'personal'],
  ['enterpriseid', 'enterprise'], ['enterprise', 'enterprise'],
  ['federatedid', 'federated'], ['federated', 'federated'],
]);

export const ADMIN_ROLE_SYSTEM = 'System Administrator';

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'` on export,
 * because names come from people and clients, not only admins (OWASP "CSV injection"); import drops that `'` again.
 */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function restoreFormula(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

/** RFC 4180 quoting: only cells holding a comma, quote or line break are quoted. */
export function csvCell(value: string): string {
  const safe = neutralizeFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
