/**
 * The domain vocabulary (../shared/DESIGN.md), as plain JSON-serialisable data. Importers produce these shapes,
 * the store persists them, the pure core decides on them.
 */

export type ProductUserStatus = 'active' | 'invited' | 'deactivated';

/** One `workspace/partition:role` entry of a product user's access. */
export interface AccessGrant {
  workspace: string;
  partition: string;
  role: string;
}

/** A user of the product, as exported by the product (users CSV or JSON lines). */
export interface ProductUser {
  id: string;
  /** The name typed at the product's login; may differ from `email` (legacy "login in invite dialog"). */
  login: string;
  email: string;
  emailVerified: boolean;
  firstName: string;
  lastName: string;
  status: ProductUserStatus;
  apiOnly: boolean;
  /** Signs in through the product's SSO today: needs SSO configured in the IMS organization to keep it. */
  sso: boolean;
  /** ISO-8601 instant or null when the user never signed in. */
  lastLogin: string | null;
  access: AccessGrant[];
  /** ISO-8601 instant at which the product ends this user's access, or null. */
  expiresAt: string | null;
  locked: boolean;
  /** Columns the importer did not know, kept verbatim (header name -> cell). */
  attributes: Record<string, string>;
}

export type ImsIdentityType = 'personal' | 'enterprise' | 'federated';
export type ImsAccountStatus = 'active' | 'disabled' | 'locked';

/** An account in the IMS directory (Admin Console export layout, or the embedded IMS). */
export interface ImsAccount {
  /** IMS subject / account id; may be empty in an export that omits the ID column. */
  id: string;
  type: ImsIdentityType;
  username: string;
  domain: string;
  email: string;
  emailVerified: boolean;
  firstName: string;
  lastName: string;
  countryCode: string;
  status: ImsAccountStatus;
  productConfigurations: string[];
  adminRoles: string[];
  attributes: Record<string, string>;
}

export interface ImsOrganization {
  id: string;
  name: string;
  /** Domains this organization has claimed (lower-case ASCII). */
  claimedDomains: string[];
  ssoConfigured: boolean;
}

/** A product subscription (tenant), with the IMS organization it moves into. */
export interface Subscription {
  id: string;
  name: string;
  /** IANA time zone, e.g. `America/Los_Angeles`. */
  timeZone: string;
  /** Product user ids of the subscription's admins; they migrate first. */
  admins: string[];
  imsOrg: ImsOrganization;
}

/** Everything readiness needs for one subscription: its users and the IMS directory they move into. */
export interface SubscriptionSnapshot {
  subscription: Subscription;
  users: ProductUser[];
}

/** The IMS side of a readiness run: the directory, and which domains other organizations have claimed. */
export interface ImsDirectory {
  accounts: ImsAccount[];
  /** Domain -> id of the other organization that claimed it (lower-case ASCII domain). */
  domainsClaimedElsewhere?: Record<string, string>;
}
