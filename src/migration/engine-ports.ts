import type { Kysely } from 'kysely';
import type { IdentityProvider } from '../ports/identity-provider.ts';

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
  | { type: 'idp:throttled'; waitMs: number };

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
}
