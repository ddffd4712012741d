/**
 * The ProductSource port: what the migration engine needs from the product whose users move, and nothing more.
 *
 * One instance acts for ONE subscription (tenant) of the product. Reads give the engine its snapshot (users, their
 * access, stored links, support tickets); writes are the product-side steps of the user phase: the identity link
 * (product user id -> IMS issuer + subject, DESIGN.md "Who owns what after the move"), the per-user login mode and
 * the cutover. Every write is safe to repeat with the same arguments (the engine retries after a crash).
 *
 * Adapters: `adapters/product/rest` (the product's REST API, e.g. examples/engage) and `adapters/product/files`
 * (the product's export files; read-only). Both pass `test/contract/product-source.test.ts`.
 */
import type { AccessGrant, ProductUser } from '../core/model.ts';

/** Where a stored link lives in the product. */
export type ProductLinkKind = 'report_subscription' | 'bookmark' | 'email_template' | (string & {});

/** One stored text field that may contain old-style URLs. */
export interface ProductLink {
  kind: ProductLinkKind;
  /** Unique over the subscription; names one text field of one record (the unit `updateLink` writes). */
  id: string;
  /** The record's field that holds `text` (`body`, `url`, `html`...). */
  field: string;
  text: string;
}

export interface TicketMessage {
  /** Product user id of the author, or null for the product's support staff. */
  authorUserId: string | null;
  body: string;
  /** ISO-8601 instant. */
  at: string;
}

export interface ProductTicket {
  id: string;
  subject: string;
  submitterUserId: string;
  status: 'open' | 'pending' | 'closed' | (string & {});
  /** ISO-8601 instant. */
  createdAt: string;
  messages: TicketMessage[];
}

/** One user's access at the time of the snapshot. */
export interface UserAccess {
  userId: string;
  access: AccessGrant[];
}

/**
 * How the product lets a user in: `legacy` (the product's own password; IMS sign-in too once linked), `ims`
 * (cut over: IMS only), `api_only` (API credentials only; never migrated).
 */
export type LoginMode = 'legacy' | 'ims' | 'api_only';

export interface IdentityLink {
  /** The IMS issuer URL (OpenID Connect `iss`). */
  issuer: string;
  /** The IMS account id (OpenID Connect `sub`). */
  subject: string;
}

export interface CutoverResult {
  userId: string;
  /** Legacy (password) sessions the product ended. */
  revokedSessions: number;
  /** Pending password-reset and email-change tokens the product dropped. */
  droppedTokens: number;
}

export interface ProductSourceDescription {
  kind: 'rest' | 'files';
  subscriptionId: string;
  /** False for sources that can only be read (export files). */
  writable: boolean;
}

export interface ProductSource {
  /** Every user of the subscription, in a stable order (by id). */
  listUsers(): Promise<ProductUser[]>;
  /** Every user's access, read at one moment (the before/after snapshot of `rehome verify`). */
  getAccess(): Promise<UserAccess[]>;
  /** Every stored text field that may hold links. */
  listLinks(): Promise<ProductLink[]>;
  /**
   * Replaces a link's text only when it still equals `expectedOldText` (`conflict` otherwise: someone edited it
   * since the snapshot). Writing the text it already has is a success (a retry after a crash).
   */
  updateLink(id: string, newText: string, expectedOldText: string): Promise<ProductLink>;
  listTickets(): Promise<ProductTicket[]>;
  /**
   * Records that `userId` signs in as `identity`. Repeating the same link is a success; `conflict` when the user
   * is linked to another identity, or the identity to another user of the subscription.
   */
  writeIdentityLink(userId: string, identity: IdentityLink): Promise<void>;
  /** Removes the user's link (rollback); a user without a link is a success. */
  removeIdentityLink(userId: string): Promise<void>;
  setLoginMode(userId: string, mode: LoginMode): Promise<void>;
  /**
   * Moves the user to IMS-only sign-in: login mode `ims`, legacy sessions revoked, pending password-reset and
   * email-change tokens dropped. `not_linked` when the user has no identity link (they would be locked out).
   */
  cutoverUser(userId: string): Promise<CutoverResult>;
  /**
   * Marks the whole subscription moved: from now on the product's user management accepts changes only for
   * API-only users, and users who were not migrated are told whom to ask. Idempotent.
   */
  cutoverSubscription(): Promise<void>;
  describe(): ProductSourceDescription;
}

export type ProductSourceErrorCode =
  | 'product_read_only' // a write through a source that can only read (export files)
  | 'not_found' // no such user or link in this subscription
  | 'conflict' // the link text changed since it was read; an identity link already points elsewhere
  | 'not_linked' // cutover of a user without an identity link
  | 'invalid_request' // the product refused the input (400, 422)
  | 'unauthorized' // 401: missing or wrong API token
  | 'forbidden' // 403
  | 'unavailable' // 5xx, connection refused or dropped
  | 'timeout'
  | 'invalid_file' // an export file that cannot be read
  | 'protocol'; // the product answered something that is not this API

const retryableCodes: ReadonlySet<ProductSourceErrorCode> = new Set(['unavailable', 'timeout']);

/** The one error class of the port; callers switch on `code`, never on the message. */
export class ProductSourceError extends Error {
  readonly code: ProductSourceErrorCode;
  readonly retryable: boolean;
  /** HTTP status, when the product answered. */
  readonly status: number | undefined;
  constructor(code: ProductSourceErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProductSourceError';
    this.code = code;
    this.retryable = retryableCodes.has(code);
    this.status = options.status;
  }
}

export function isProductSourceError(error: unknown, code?: ProductSourceErrorCode): error is ProductSourceError {
  return error instanceof ProductSourceError && (code === undefined || error.code === code);
}
