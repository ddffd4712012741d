import type { ImsDirectoryService } from '../directory/ims-directory.ts';
import type { ImsClientConfig, ImsConfig } from '../ims-config.ts';

/**
 * Which product a person came from or is invited to, so the IMS's pages and mails can name it, link back to it and
 * link the subscription's "What changes for me" page. Read from the IMS's own data only: the registered clients
 * (`name`, `homeUrl`) and the product profiles (an org's entitlement to one product subscription).
 */

export interface ProductHome {
  /** "Engage", or "the application" for a client without a name. */
  name: string;
  url: string;
}

export interface AccountSubscription {
  id: string;
  /** The profile's name without the id the plan appends: "Acme Marketing (production)". */
  name: string;
}

/**
 * Where a person goes back to: the client the flow started from (a registered client id only, never a URL from the
 * request, so nothing here redirects anywhere a request chooses), else the configured product.
 */
export function productHome(config: Pick<ImsConfig, 'clients'>, clientId?: string | null): ProductHome | undefined {
  const client = clientId ? config.clients.find((c) => c.clientId === clientId) : undefined;
  return (client && homeOf(client)) ?? defaultProduct(config);
}

/** A client id a page may carry along (a registered one), or undefined. */
export function knownClient(config: Pick<ImsConfig, 'clients'>, clientId: string | null | undefined): string | undefined {
  return clientId && config.clients.some((c) => c.clientId === clientId) ? clientId : undefined;
}

/** The product of pages and mails no client started (an invitation): the first client with a `homeUrl`. */
export function defaultProduct(config: Pick<ImsConfig, 'clients'>): ProductHome | undefined {
  const client = config.clients.find((c) => c.homeUrl);
  return client && homeOf(client);
}

function homeOf(client: ImsClientConfig): ProductHome | undefined {
  const url = client.homeUrl ?? client.postLogoutRedirectUris?.[0] ?? originOf(client.redirectUris[0]);
  return url ? { name: client.name ?? 'the application', url } : undefined;
}

function originOf(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  try {
    return `${new URL(uri).origin}/`;
  } catch {
    return undefined;
  }
}

/** The subscription's help page, or undefined when the IMS runs without one (`helpPagePath: null`). */
export function helpPageFor(config: Pick<ImsConfig, 'baseUrl' | 'helpPagePath'>, subscriptionId: string): string | undefined {
  return config.helpPagePath ? `${config.baseUrl}${config.helpPagePath.replace('{subscription}', encodeURIComponent(subscriptionId))}` : undefined;
}

/**
 * The product subscription an account belongs to: the one `hint` names when one of the account's organizations has a
 * profile for it (the engine invites before it grants the profile), else the only subscription among the profiles
 * the account is a member of. Undefined when none or several (the pages then stay general).
 */
export async function accountSubscription(
  directory: Pick<ImsDirectoryService, 'listMemberships' | 'listProfiles' | 'getProfile'>, accountId: string, hint?: string,
): Promise<AccountSubscription | undefined> {
  const memberships = await directory.listMemberships(accountId);
  if (hint) {
    for (const m of memberships) {
      const page = await directory.listProfiles(m.orgId, { filter: { op: 'eq', attr: 'subscriptionId', value: hint }, limit: 1 });
      if (page.items[0]) return named(page.items[0]);
    }
  }
  const found = new Map<string, AccountSubscription>();
  for (const m of memberships) {
    for (const id of m.profileIds) {
      const profile = await directory.getProfile(m.orgId, id);
      if (profile?.subscriptionId) found.set(profile.subscriptionId, named(profile));
    }
  }
  return found.size === 1 ? [...found.values()][0] : undefined;
}

function named(profile: { subscriptionId: string; name: string }): AccountSubscription {
  const suffix = ` (${profile.subscriptionId})`;
  return { id: profile.subscriptionId, name: profile.name.endsWith(suffix) ? profile.name.slice(0, -suffix.length) : profile.name };
}
