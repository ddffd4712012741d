/**
 * The IdentityProvider port: what the migration engine (apply/) needs from an identity system, and nothing more.
 *
 * One instance acts for ONE organization of the IdP (the one the subscription is linked to). Every write is safe to
 * repeat: the engine records each call before and after (DESIGN.md "Crash-safe apply") and, after a crash, repeats
 * it; the port guarantees that a repeat never creates a second account or a second membership.
 *
 * Adapters: `adapters/idp/embedded` (the embedded IMS, in process) and `adapters/idp/external` (any IdP speaking
 * SCIM 2.0 + OpenID Connect). Both pass `test/contract/idp.contract.ts`.
 */

export type IdpUserType = 'personal' | 'enterprise' | 'federated';

/** An account as the IdP's organization sees it. */
export interface IdpUser {
  /** The IdP's id for the account; equals the OpenID Connect `sub` the product will store. */
  id: string;
  /** The product user id this account is linked to in this organization, or null (not linked yet). */
  externalId: string | null;
  email: string;
  /** True only when the IdP says so explicitly; a missing flag is false. */
  emailVerified: boolean;
  type: IdpUserType;
  active: boolean;
}

export interface FindUserQuery {
  /** Looked up first. */
  externalId?: string;
  /** Looked up only when `externalId` found nothing; only accounts with a VERIFIED email match. */
  email?: string;
  /** Only accounts of these types count for `email` (also for `ambiguous`); default every type. */
  types?: readonly IdpUserType[];
}

export interface NewIdpUser {
  /** The product user id: the idempotency key of the creation. */
  externalId: string;
  email: string;
  firstName: string;
  lastName: string;
  /**
   * Default: the IdP's own rules (the embedded IMS: `enterprise`, or `federated`, for an email in a domain the org
   * claimed; `personal` otherwise). When given, an IdP that disagrees refuses with `type_mismatch`; `enterprise`
   * asks for the organization's managed ID and is met by `federated` where the org federates the domain.
   */
  type?: IdpUserType;
  /**
   * Default true (SCIM `POST /Users` semantics: an account that already verified the address may be linked instead
   * of created). False — the migration engine, which carries out a plan — never links: the IdP creates the account,
   * or refuses with `exists` when an account it would have linked holds the address. Not every IdP can promise
   * this (`describe().createOnly`); the engine looks first where it cannot.
   */
  linkExisting?: boolean;
  /** Default: the email. Must be unique over the IdP; a deterministic value keeps retries safe. */
  userName?: string;
}

export interface IdpUserPatch {
  email?: string;
  firstName?: string;
  lastName?: string;
  active?: boolean;
}

/** One item of a bulk call: its answer, or the error of this item alone (the other items are unaffected). */
export type IdpBatchResult<T> = { ok: true; value: T } | { ok: false; error: IdpError };

export interface IdpLimits {
  /** Items per request for calls that take a list (profile members, look-ups by externalId). */
  batchSize: number;
  /** Client-side rate limit; null when unlimited. */
  requestsPerMinute: number | null;
  /** Requests in flight at once. */
  concurrency: number;
  /** Per-request timeout in milliseconds; null in process. */
  timeoutMs: number | null;
  /**
   * SCIM Bulk (RFC 7644 §3.7) as the IdP advertises it and the adapter uses it: operations and bytes per request.
   * Null when not advertised, not yet discovered (`discover()`), or turned off.
   */
  bulk?: { maxOperations: number; maxPayloadSize: number } | null;
  /** Values looked up per request (a SCIM `or` filter), when the adapter combines look-ups; default 1. */
  lookupsPerRequest?: number;
}

export interface IdpDescription {
  kind: 'embedded' | 'external';
  /**
   * True when `createUser` with `linkExisting: false` is a promise this IdP keeps atomically: it never links, and
   * refuses with `exists` when an account it would have linked holds the address. The engine then needs no look-up
   * before a planned create; otherwise it looks first (one more request per created user).
   */
  createOnly: boolean;
  /** OpenID Connect issuer: with the user id, the key the product stores after linking. */
  issuer: string;
  limits: IdpLimits;
}

export interface IdentityProvider {
  /** By `externalId` first, then by verified email. `ambiguous` when several verified accounts share the email. */
  findUser(query: FindUserQuery): Promise<IdpUser | undefined>;
  /**
   * Find-or-create on `externalId`: when an account with this externalId exists, it is returned unchanged. The new
   * account's email is NEVER marked verified.
   */
  createUser(input: NewIdpUser): Promise<IdpUser>;
  /** Links an existing account (found by verified email) to `externalId`; idempotent; `conflict` when linked elsewhere. */
  linkUser(userId: string, externalId: string): Promise<IdpUser>;
  updateUser(userId: string, patch: IdpUserPatch): Promise<IdpUser>;
  /** Find-or-create the org's product profile for one subscription. */
  ensureProductProfile(input: { subscriptionId: string; name: string }): Promise<{ id: string }>;
  /** Idempotent: existing members are a success. Sent in chunks of `limits.batchSize`. */
  addProfileMembers(profileId: string, userIds: string[]): Promise<void>;
  /** Idempotent: non-members are a success. */
  removeProfileMembers(profileId: string, userIds: string[]): Promise<void>;
  /**
   * Removes the account linked to `externalId` from the organization (and so from its product profiles); returns
   * false when nothing was linked. Accounts the org does not own (personal) survive; the IdP decides for others.
   */
  unlinkUser(externalId: string): Promise<boolean>;
  describe(): IdpDescription;

  // Optional bulk forms (the engine's batched path). Each answers exactly as the one-item method would for every
  // item, in input order, with per-item errors; a call-wide failure (throttled, unavailable) throws as usual. An
  // adapter without them leaves them undefined and callers fall back to the one-item methods.
  /** `findUser({ externalId })` for each id: the account, or undefined. */
  findUsersByExternalIds?(externalIds: string[]): Promise<IdpBatchResult<IdpUser | undefined>[]>;
  /** `findUser({ email, types })` for each address (verified accounts only; `ambiguous` per item). */
  findUsersByEmails?(emails: string[], types?: readonly IdpUserType[]): Promise<IdpBatchResult<IdpUser | undefined>[]>;
  /** `createUser` for each input: find-or-create on externalId; never marks an email verified. */
  createUsers?(inputs: NewIdpUser[]): Promise<IdpBatchResult<IdpUser>[]>;
  /** `linkUser` for each pair. */
  linkUsers?(links: { userId: string; externalId: string }[]): Promise<IdpBatchResult<IdpUser>[]>;
  /**
   * `addProfileMembers` with an answer per member: the adapter packs as many members per request as the IdP takes
   * (SCIM Bulk) and finds out alone whose membership a refused request was about.
   */
  addProfileMembersEach?(profileId: string, userIds: string[]): Promise<IdpBatchResult<void>[]>;
  /**
   * `describe()` after asking the IdP what it supports (an external IdP's SCIM /ServiceProviderConfig: Bulk and its
   * limits). Cached by the adapter; `describe()` answers the same once this has run.
   */
  discover?(signal?: AbortSignal): Promise<IdpDescription>;
}

export type IdpErrorCode =
  | 'throttled' // 429, or the local rate limit would wait longer than allowed
  | 'unavailable' // 5xx, connection refused or dropped
  | 'timeout' // no complete answer within the per-request timeout
  | 'aborted' // the caller's AbortSignal fired
  | 'conflict' // 409/412: uniqueness (userName, email) or a concurrent change
  | 'ambiguous' // several verified accounts share the email: an admin must resolve it
  | 'not_found' // no such user or profile at the IdP
  | 'invalid_request' // 400 and other 4xx the caller must fix
  | 'unauthorized' // 401 after one token refresh
  | 'forbidden' // 403
  | 'email_unverified' // the IdP refuses because the address is not verified
  | 'type_mismatch' // the IdP would give the account another type than asked (the org's domain claims changed)
  | 'exists' // createUser with linkExisting: false met an account the IdP would have linked instead
  | 'protocol'; // the IdP answered something that is not SCIM/OIDC

/** Codes worth retrying later (the engine's `failed` users with `retryable: true`). */
const retryableCodes: ReadonlySet<IdpErrorCode> = new Set(['throttled', 'unavailable', 'timeout']);

/** The one error class of the port; callers switch on `code` and `retryable`, never on the message. */
export class IdpError extends Error {
  readonly code: IdpErrorCode;
  readonly retryable: boolean;
  /** HTTP status, when the IdP answered. */
  readonly status: number | undefined;
  /** SCIM `scimType` (RFC 7644 section 3.12), when given. */
  readonly scimType: string | undefined;
  /** How long the IdP asked us to wait (429/503 `Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  constructor(
    code: IdpErrorCode,
    message: string,
    options: { status?: number; scimType?: string; retryAfterMs?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IdpError';
    this.code = code;
    this.retryable = options.retryable ?? retryableCodes.has(code);
    this.status = options.status;
    this.scimType = options.scimType;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isIdpError(error: unknown, code?: IdpErrorCode): error is IdpError {
  return error instanceof IdpError && (code === undefined || error.code === code);
}
