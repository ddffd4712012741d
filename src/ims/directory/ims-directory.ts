/**
 * The directory of the embedded IMS: accounts, organizations, org membership and product profiles.
 *
 * This is the in-process service that the OIDC provider, the account pages, SCIM 2.0, the Admin API and the
 * `embedded` IdentityProvider adapter all use. Implemented on Rehome's store (SQLite and PostgreSQL) by
 * `store-ims-directory.ts`. Every method that acts "as an organization" takes `orgId` first and never reads or
 * writes another organization's data (tenant isolation): an account that is not a member of `orgId` is `not_found`.
 *
 * Stability: this interface changes only additively.
 */

export type AccountType = 'personal' | 'enterprise' | 'federated';
export type AccountStatus = 'active' | 'disabled' | 'locked';

/** An IMS account. `id` is the OpenID Connect `sub`. */
export interface ImsAccountRecord {
  /** Subject id (UUID); never reused, never changes. */
  id: string;
  /** Email as entered (display form). */
  email: string;
  /** Lower-cased, trimmed, NFC form used for look-ups. */
  emailNormalized: string;
  /** True only after the owner proved control of `email` (link click) or a trusted upstream said so. */
  emailVerified: boolean;
  type: AccountType;
  /**
   * Organization that owns the account: set for `enterprise` and `federated` accounts (the org may edit their
   * profile fields); null for `personal` accounts, which only their owner edits (orgs manage membership only).
   */
  ownerOrgId: string | null;
  firstName: string;
  lastName: string;
  /** Unique over the whole IMS (case-insensitive), as SCIM requires; defaults to the email. */
  userName: string;
  status: AccountStatus;
  /**
   * PHC-format password hash (argon2id, or an imported legacy hash), or null (no password: federated, invited).
   * Never serialise it to any client.
   */
  passwordHash: string | null;
  /** Increments on every change of the account or of one of its org memberships (SCIM `meta.version`/ETag). */
  version: number;
  /** ISO-8601 instants. */
  createdAt: string;
  updatedAt: string;
}

/** An account as one organization sees it: the account plus that org's membership data. */
export interface ImsOrgAccount extends ImsAccountRecord {
  orgId: string;
  /** The provisioning client's id for this account (SCIM `externalId`; the product user id); unique per org. */
  externalId: string | null;
  /** When the account joined the organization. */
  joinedAt: string;
  /**
   * The organization deactivated its membership (SCIM `active: false` on an account it does not own): the org's
   * access ends (no `ims_org` entry, no product profiles' entitlement) while the account itself stays as it is.
   */
  suspended: boolean;
}

export interface DomainClaim {
  /** Lower-case ASCII (IDNA) domain. */
  domain: string;
  /** Who made the claim (`admin:<account id>`, `cli:<os user>`, `scim:<client>`...). */
  claimedBy: string;
  claimedAt: string;
}

/**
 * A domain an organization asked for without anyone vouching for it (an org API client): it gives the org nothing
 * (no account types, no SSO) until a DNS TXT record `rehome-domain-verification=<token>` at the domain, or at
 * `_rehome-challenge.<domain>`, proves control (`src/ims/directory/domain-verification.ts`). Several orgs may
 * have a pending claim on one domain: asking proves nothing, so it must not block the real owner.
 */
export interface PendingDomainClaim {
  /** Lower-case ASCII (IDNA) domain. */
  domain: string;
  /** Random, per org and domain; published in DNS, so not a secret. */
  token: string;
  /** Who asked (`client:<client id>`). */
  claimedBy: string;
  claimedAt: string;
}

/** An org's claim on a domain as it stands: `claimed` (proved or vouched for by an operator) or `pending`. */
export type DomainClaimState = ({ status: 'claimed' } & DomainClaim) | ({ status: 'pending' } & PendingDomainClaim);

/** Federation of chosen domains to an upstream OpenID Connect provider. */
export interface SsoFederation {
  /** Lower-case domains whose users sign in upstream; each must be claimed by the org. */
  domains: string[];
  /** Upstream issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  clientSecret: string;
}

export interface ImsOrgRecord {
  id: string;
  name: string;
  domains: DomainClaim[];
  /** Account ids of the org's admins (each is also a member). */
  admins: string[];
  sso: SsoFederation | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** An org's entitlement to one product subscription, with its members (SCIM Group). */
export interface ProductProfileRecord {
  id: string;
  orgId: string;
  name: string;
  /** The product subscription (tenant) id, e.g. `123-ABC-456`. */
  subscriptionId: string;
  /** Account ids; every member is also a member of the org. */
  members: string[];
  /** The provisioning client's id for the profile (SCIM Group `externalId`), or null. */
  externalId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The orgs and product profiles an account belongs to (the `ims_org` claim). */
export interface AccountMembership {
  orgId: string;
  profileIds: string[];
}

// ---- inputs ----

export interface NewAccount {
  email: string;
  /** Default false. Importers must not set it: only proof of control (or a trusted upstream) verifies. */
  emailVerified?: boolean;
  /** Default 'personal'. `enterprise`/`federated` need `orgId` (the owner). */
  type?: AccountType;
  firstName?: string;
  lastName?: string;
  /** Default: the email. */
  userName?: string;
  status?: AccountStatus;
  passwordHash?: string | null;
  /** Owner org for enterprise/federated; for any type, the account also joins this org. */
  orgId?: string;
  /** Membership externalId in `orgId` (requires `orgId`). */
  externalId?: string | null;
  /** Fixed id (tests, imports that keep ids); default a random UUID. */
  id?: string;
}

/** Profile fields an owner (the person, or the owning org) may change. */
export interface AccountPatch {
  email?: string;
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string;
  userName?: string;
  status?: AccountStatus;
}

/** What an org may change on an account it sees; profile fields only on accounts it owns (`forbidden` else). */
export interface OrgAccountPatch extends AccountPatch {
  externalId?: string | null;
  /** Deactivate (true) or reactivate (false) the membership; the only "active" an org has on a personal account. */
  suspended?: boolean;
}

export interface WriteOptions {
  /** Optimistic concurrency (SCIM `If-Match`): fails with `version_mismatch` when the stored version differs. */
  expectedVersion?: number;
}

/** A small filter tree; the SCIM layer parses SCIM filters into it. String comparisons are case-insensitive. */
export type Filter<A extends string> =
  | { op: 'eq' | 'ne' | 'co' | 'sw' | 'ew'; attr: A; value: string | boolean }
  /** Ordering comparisons, for instants (ISO-8601 strings compare in time order) such as `updatedAt`. */
  | { op: 'gt' | 'ge' | 'lt' | 'le'; attr: A; value: string }
  | { op: 'pr'; attr: A }
  | { op: 'and' | 'or'; filters: Filter<A>[] }
  | { op: 'not'; filter: Filter<A> };

export type AccountFilterAttr =
  | 'id' | 'userName' | 'email' | 'externalId' | 'firstName' | 'lastName' | 'type' | 'status' | 'emailVerified'
  | 'suspended' | 'createdAt' | 'updatedAt';
/** `member`: `eq` an account id matches the profiles that account is in. */
export type ProfileFilterAttr = 'id' | 'name' | 'subscriptionId' | 'externalId' | 'member' | 'createdAt' | 'updatedAt';

export interface ListQuery<A extends string> {
  filter?: Filter<A>;
  /** 0-based offset (SCIM startIndex - 1). Default 0. */
  offset?: number;
  /** Default 100; 0 returns only the total. */
  limit?: number;
  /** Default: creation order. Ties are broken by creation order, so pages stay stable. */
  sort?: { attr: A; descending?: boolean };
}

export interface Page<T> {
  /** Matches over all pages. */
  total: number;
  items: T[];
}

export interface VerifyEmailResult {
  account: ImsAccountRecord;
  /**
   * Other accounts that had claimed the same address without proving it and were removed (pre-hijacking
   * defence); the caller must end their sessions and tokens.
   */
  invalidatedAccountIds: string[];
}

/** An account an organization creates for one of its users (bulk provisioning); the email is never verified. */
export interface NewOrgAccount {
  email: string;
  /** Decided by the caller's provisioning rules; `enterprise` and `federated` accounts are owned by the org. */
  type: AccountType;
  /** The provisioning client's id for the user; unique per org. */
  externalId: string | null;
  /** Default: the email. */
  userName?: string;
  firstName?: string;
  lastName?: string;
  status?: AccountStatus;
  id?: string;
}

/** One item of a bulk call: its record, or why this item alone was refused (the others still went in). */
export type BulkResult<T> = { ok: true; value: T } | { ok: false; error: ImsError };

// ---- the service ----

export interface ImsDirectoryService {
  /**
   * An address's delivery form (stored and mailed to) and look-up key under the one address rule and this
   * directory's policy; throws `email_refused` for a look-alike or malformed address.
   */
  address(email: string): { key: string; delivery: string; domain: string };
  // Accounts (global: used by the IMS itself — sign-up, sign-in, OIDC claims).
  /**
   * Squatting defence: removes every sign-up that never verified its address and belongs to no organization, whose
   * address (by key) or userName is one of `claims` — an organization (a migration, SCIM, the Admin API) is about
   * to provision that address. Returns the removed accounts (their owners are told by mail by the embedder).
   */
  cancelPendingSignUps(claims: { email: string; userName?: string | undefined }[]): Promise<ImsAccountRecord[]>;
  createAccount(input: NewAccount): Promise<ImsAccountRecord>;
  getAccount(id: string): Promise<ImsAccountRecord | undefined>;
  /** All accounts whose email normalizes to `email`, verified or not, oldest first. */
  findAccountsByEmail(email: string): Promise<ImsAccountRecord[]>;
  /** The account whose *verified* email is `email` and type is `type` (default 'personal'); at most one exists. */
  findVerifiedAccount(email: string, type?: AccountType): Promise<ImsAccountRecord | undefined>;
  findAccountByUserName(userName: string): Promise<ImsAccountRecord | undefined>;
  updateAccount(id: string, patch: AccountPatch, options?: WriteOptions): Promise<ImsAccountRecord>;
  setPasswordHash(id: string, passwordHash: string | null): Promise<void>;
  /**
   * Marks `email` verified on the account (optionally switching the account to it, for an email change) and
   * removes every other unverified *personal* account that claimed the same address; pending claims never win.
   * `email_taken` when another account of the same type already verified the address.
   */
  verifyEmail(id: string, email: string): Promise<VerifyEmailResult>;
  disableAccount(id: string): Promise<ImsAccountRecord>;
  deleteAccount(id: string): Promise<void>;
  listMemberships(accountId: string): Promise<AccountMembership[]>;

  // Federated identities (upstream issuer + subject -> account).
  linkFederatedIdentity(accountId: string, issuer: string, subject: string): Promise<void>;
  findAccountByFederatedIdentity(issuer: string, subject: string): Promise<ImsAccountRecord | undefined>;

  // Organizations.
  createOrg(input: { name: string; id?: string }): Promise<ImsOrgRecord>;
  getOrg(orgId: string): Promise<ImsOrgRecord | undefined>;
  listOrgs(): Promise<ImsOrgRecord[]>;
  updateOrg(orgId: string, patch: { name?: string }, options?: WriteOptions): Promise<ImsOrgRecord>;
  /**
   * A claim vouched for by whoever calls (the operator, the migration plan, a seed): takes effect at once.
   * Idempotent for the same org; `domain_claimed` when another org holds the domain.
   */
  claimDomain(orgId: string, domain: string, claimedBy: string): Promise<ImsOrgRecord>;
  /**
   * A claim nobody vouched for (an org API client): starts `pending` with a verification token, or returns the claim
   * as it stands (idempotent). `free_mail_domain` for a public mail provider's domain, `domain_claimed` when another
   * org holds it, `invalid_input` past 50 pending claims.
   */
  requestDomainClaim(orgId: string, domain: string, claimedBy: string): Promise<DomainClaimState>;
  /** The org's claims, claimed and pending, by domain. */
  listDomainClaims(orgId: string): Promise<DomainClaimState[]>;
  /**
   * Turns the org's pending claim into a claim, once its DNS proof was found (`verifyDomainClaim` does both).
   * Idempotent for a claimed domain; `not_found` without a pending claim; `domain_claimed` if another org got it.
   */
  confirmDomainClaim(orgId: string, domain: string): Promise<DomainClaimState>;
  /** Removes the claim, or withdraws the pending one. */
  releaseDomain(orgId: string, domain: string): Promise<ImsOrgRecord>;
  findOrgByDomain(domain: string): Promise<ImsOrgRecord | undefined>;
  /** Idempotent; the account must be a member (`not_found` else). */
  addOrgAdmin(orgId: string, accountId: string): Promise<ImsOrgRecord>;
  removeOrgAdmin(orgId: string, accountId: string): Promise<ImsOrgRecord>;
  /** Each SSO domain must be claimed by the org (`invalid_input` else); null removes federation. */
  setSsoFederation(orgId: string, sso: SsoFederation | null): Promise<ImsOrgRecord>;
  deleteOrg(orgId: string): Promise<void>;

  // Accounts as an organization sees them (SCIM Users, Admin API).
  /** Idempotent: adding an existing member succeeds (and sets `externalId` when given and different). */
  addOrgMember(orgId: string, accountId: string, options?: { externalId?: string | null }): Promise<ImsOrgAccount>;
  /** Idempotent; also removes the account from the org's product profiles and admins. */
  removeOrgMember(orgId: string, accountId: string): Promise<void>;
  getOrgAccount(orgId: string, accountId: string): Promise<ImsOrgAccount | undefined>;
  findOrgAccountByExternalId(orgId: string, externalId: string): Promise<ImsOrgAccount | undefined>;
  listOrgAccounts(orgId: string, query?: ListQuery<AccountFilterAttr>): Promise<Page<ImsOrgAccount>>;
  updateOrgAccount(orgId: string, accountId: string, patch: OrgAccountPatch, options?: WriteOptions): Promise<ImsOrgAccount>;

  // Bulk forms, for provisioning many users at once (the migration engine's batched path). Each runs a bounded
  // number of statements whatever the list length and applies the same rules as its one-item form.
  /** Creates many accounts in one transaction, as `createAccount` would one by one; refusals are per item. */
  createAccounts(inputs: NewAccount[]): Promise<BulkResult<ImsAccountRecord>[]>;
  /** Creates accounts as members of `orgId` (owned by it unless personal), in one transaction; never verified. */
  createOrgAccounts(orgId: string, inputs: NewOrgAccount[]): Promise<BulkResult<ImsOrgAccount>[]>;
  /** As `addOrgMember` for each item (idempotent, sets a different externalId when free), in one transaction. */
  addOrgMembers(orgId: string, members: { accountId: string; externalId: string | null }[]): Promise<BulkResult<ImsOrgAccount>[]>;
  /** The members of `orgId` among `accountIds` (others are simply absent). */
  getOrgAccounts(orgId: string, accountIds: string[]): Promise<ImsOrgAccount[]>;
  /** The members of `orgId` whose externalId is in the list. */
  findOrgAccountsByExternalIds(orgId: string, externalIds: string[]): Promise<ImsOrgAccount[]>;
  /** Every account whose email normalizes to one of `emails` (verified or not); invalid addresses match nothing. */
  findAccountsByEmails(emails: string[]): Promise<ImsAccountRecord[]>;

  // Product profiles (SCIM Groups).
  /** Without `subscriptionId` the profile has none yet (`''`): it entitles nothing until one is set. */
  createProfile(orgId: string, input: { name: string; subscriptionId?: string; externalId?: string | null; id?: string; members?: string[] }): Promise<ProductProfileRecord>;
  getProfile(orgId: string, profileId: string): Promise<ProductProfileRecord | undefined>;
  listProfiles(orgId: string, query?: ListQuery<ProfileFilterAttr>): Promise<Page<ProductProfileRecord>>;
  updateProfile(orgId: string, profileId: string, patch: { name?: string; subscriptionId?: string; externalId?: string | null }, options?: WriteOptions): Promise<ProductProfileRecord>;
  /** Replaces the member list (SCIM PUT); every id must be an org member (`invalid_input` else). */
  setProfileMembers(orgId: string, profileId: string, accountIds: string[], options?: WriteOptions): Promise<ProductProfileRecord>;
  /** Idempotent (existing members are a success); every id must be an org member (`invalid_input` else). */
  addProfileMembers(orgId: string, profileId: string, accountIds: string[], options?: WriteOptions): Promise<ProductProfileRecord>;
  /**
   * As `addProfileMembers`, without reading the member list back: its cost follows the list given, not the size
   * of the profile (a million-member profile stays cheap to grow). Returns how many were not members yet.
   */
  grantProfileMembers(orgId: string, profileId: string, accountIds: string[]): Promise<{ added: number }>;
  /** Idempotent. */
  removeProfileMembers(orgId: string, profileId: string, accountIds: string[], options?: WriteOptions): Promise<ProductProfileRecord>;
  deleteProfile(orgId: string, profileId: string): Promise<void>;
}

export type ImsErrorCode =
  | 'account_exists' // userName already taken
  | 'email_taken' // another account of that type already verified this email
  | 'external_id_exists' // externalId already used in this org
  | 'domain_claimed' // another org claimed the domain
  | 'free_mail_domain' // a public mail provider's domain (gmail.com, outlook.com, ...): no organization may claim it
  | 'domain_unverified' // no DNS TXT record proves the pending domain claim yet: the message says what to publish where
  | 'not_found' // no such account, org or profile, or not visible to this org
  | 'version_mismatch' // If-Match / expected version differs: someone changed it meanwhile
  | 'email_unverified' // the action needs a verified address
  | 'invalid_input' // a value is malformed or breaks a rule (the message says which)
  | 'email_refused' // the address breaks the one address rule (look-alike or malformed): the message says how
  | 'forbidden' // the org may not change this (e.g. profile fields of a personal account)
  | 'account_disabled' // the account is disabled or locked
  | 'invalid_credentials' // wrong password (the same answer whether or not the account exists)
  | 'throttled' // too many failed sign-ins, or sign-ups, reset requests or resends, for the address or the client: the message says when to retry
  | 'token_invalid'; // one-time link expired, used or forged

/** The one error class of the embedded IMS; callers switch on `code`. */
export class ImsError extends Error {
  readonly code: ImsErrorCode;
  constructor(code: ImsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImsError';
    this.code = code;
  }
}

export function isImsError(error: unknown, code?: ImsErrorCode): error is ImsError {
  return error instanceof ImsError && (code === undefined || error.code === code);
}
