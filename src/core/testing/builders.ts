import type { ImsAccount, ProductUser, Subscription } from '../model.ts';

// In-memory builders for core tests (STYLE.md rule 18): defaults describe an ordinary, eligible user.
export function productUser(over: Partial<ProductUser> & { id: string }): ProductUser {
  const email = over.email ?? `${over.id}@acme.example`;
  return {
    login: email, email, emailVerified: true, firstName: 'Ada', lastName: 'Lovelace', status: 'active', apiOnly: false,
    sso: false, lastLogin: null, access: [{ workspace: 'Default', partition: 'Main', role: 'Standard User' }],
    expiresAt: null, locked: false, attributes: {}, ...over,
  };
}

export function imsAccount(over: Partial<ImsAccount> & { email: string }): ImsAccount {
  const domain = over.email.split('@')[1] ?? '';
  return {
    id: `ims-${over.email}`, type: 'personal', username: over.email, domain, emailVerified: true, firstName: '', lastName: '',
    countryCode: '', status: 'active', productConfigurations: [], adminRoles: [], attributes: {}, ...over,
  };
}

export function subscription(over: Partial<Subscription> = {}): Subscription {
  return {
    id: '123-ABC-456', name: 'Acme Production', timeZone: 'America/Los_Angeles', admins: [],
    imsOrg: { id: 'ORG1', name: 'Acme', claimedDomains: [], ssoConfigured: false }, ...over,
  };
}
