import type { ProductUser } from '../core/model.ts';

export const PRODUCT_USER_COLUMNS = ['id', 'login', 'email', 'email_verified', 'first_name', 'last_name', 'status', 'api_only', 'sso', 'last_login', 'access', 'expires_at', 'locked'];

/** Writes product users in the layout `rehome import --users` reads (CRLF, RFC 4180 quoting). */
export function writeProductUsersCsv(users: Iterable<ProductUser>, extraColumns: string[] = []): string {
  const parts: string[] = [[...PRODUCT_USER_COLUMNS, ...extraColumns].join(',')];
  for (const u of users) {
    parts.push([
      u.id, u.login, u.email, String(u.emailVerified), u.firstName, u.lastName, u.status, String(u.apiOnly), String(u.sso),
      u.lastLogin ?? '', u.access.map((a) => `${a.workspace}/${a.partition}:${a.role}`).join(';'), u.expiresAt ?? '', String(u.locked),
      ...extraColumns.map((c) => u.attributes[c] ?? ''),
    ].map(plainCell).join(','));
  }
  return parts.join('\r\n') + '\r\n';
}

// Export files are data, not spreadsheets to open blind: keep values exact (no formula-guard prefix), quote when needed.
function plainCell(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

