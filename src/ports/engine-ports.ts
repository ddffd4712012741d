import type { Kysely } from 'kysely';
import type { IdentityProvider } from './identity-provider.ts';

/** Where the product's link table (product user id -> IMS issuer + subject) is written (DESIGN.md "Who owns what"). */
export interface IdentityLinkWriter {
  writeIdentityLink(userId: string, link: { issuer: string; subject: string }): Promise<void>;
  removeIdentityLink(userId: string): Promise<void>;
}

/** Links the subscription to an IMS organization (phase 1). */
export interface OrgLinker {
  /** Creates the organization when missing and claims its domains; says whether it already existed. */
  ensureOrg(input: { id: string; name: string; claimedDomains: string[]; actor: string }): Promise<{ existed: boolean }>;
  orgExists(id: string): Promise<boolean>;
}

export type EngineEvent =
  | { type: 'phase:started'; phase: 'product' | 'users' | 'support'; subscriptionId: string }
  | { type: 'user:migrated'; subscriptionId: string; userId: string }
  | { type: 'user:failed'; subscriptionId: string; userId: string; code: string }
  | { type: 'progress'; subscriptionId: string; done: number; failed: number; total: number }
  | { type: 'idp:throttled'; waitMs: number }
  /** One batch of the user phase recorded: its users and its wall time (claim, IdP calls, outcome transaction). */
  | { type: 'batch:done'; subscriptionId: string; size: number; ms: number }
  /** The run's other users waited: `admins` admins are neither migrated nor skipped yet (admins first). */
  | { type: 'users:held'; subscriptionId: string; reason: 'admins_first'; admins: number };

/** How people get a password on the IMS side, chosen per subscription (the plan's `passwordStrategy`). */
export type EnginePasswordStrategy = 'invite' | 'import_hashes' | 'lazy';

/** An IMS account is ready for a product user (found, linked or created by the `ims:account` step). */
export interface AccountReadyInput {
  subscriptionId: string;
  /** Product user id (the account's externalId). */
  userId: string;
  email: string;
  /** IMS subject. */
  accountId: string;
  /** True when this run created the account; false when it was found (resume) or linked. */
  created: boolean;
  /** Default: the strategy recorded for the subscription in phase 1 (else the plan's). */
  strategy?: EnginePasswordStrategy;
  /** The product user's exported extra columns; `password_hash` for `import_hashes`. Default: read from the snapshot. */
  attributes?: Readonly<Record<string, string>>;
}

/** What `onAccountReady` did (idempotent: repeating it after a crash does it at most once). */
export type PasswordOutcome =
  | { action: 'invited' | 'invitation_already_sent' | 'hash_imported' | 'lazy' }
  | { action: 'none'; reason: 'has_password' | 'federated' | 'disabled' | 'not_found' | 'external_idp' };

/**
 * Gives each moved person a way to sign in with a password (docs/identity-providers.md, "Passwords"):
 * `invite` mails an invitation, `import_hashes` stores the product's hash, `lazy` leaves it to the first sign-in.
 * Never marks an email verified.
 */
export interface PasswordProvisioner {
  /** Phase 1: checks the strategy can work here and records it with the IMS (the sign-in reads it). Idempotent. */
  prepareSubscription(input: { subscriptionId: string; orgId: string; strategy: EnginePasswordStrategy; actor: string }): Promise<void>;
  /** Right after the `ims:account` step; safe to repeat. */
  onAccountReady(input: AccountReadyInput): Promise<PasswordOutcome>;
}

/** Everything the engine touches, injected (STYLE.md rule 4). */
export interface EnginePorts {
  db: Kysely<any>;
  idp: IdentityProvider;
  links: IdentityLinkWriter;
  orgs: OrgLinker;
  now: () => Date;
  /** Who acts, for the audit log (`cli:<user>`, `admin:<id>`, `worker:<id>`). */
  actor: string;
  onEvent?: (event: EngineEvent) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Passwords per the subscription's strategy; absent = nothing is done about passwords. */
  passwords?: PasswordProvisioner;
}
