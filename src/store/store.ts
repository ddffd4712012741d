import type { ImsDirectory, ProductUser, Subscription } from '../core/model.ts';
import type { ReadinessReport } from '../core/readiness/report.ts';

/**
 * The Store port: everything Rehome persists. Two adapters (node:sqlite, PostgreSQL) pass one contract suite
 * (test/contract/store.contract.ts). Every multi-row write is one transaction: a failed import stores nothing.
 */
export interface Store extends AsyncDisposable {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending forward-only migrations; returns one result per migration it ran. */
  migrate(): Promise<MigrationResult[]>;

  /**
   * Stores a subscription, its users and the IMS directory as one immutable snapshot, in one transaction. Throws
   * StoreError `snapshot_invalid` (and stores nothing) when a user lacks a string id/email or ids repeat.
   */
  saveSnapshot(input: SnapshotInput): Promise<SnapshotRef>;
  /**
   * The snapshot by id, or the newest one (by `at`, then by save order) of a subscription when `subscriptionId` is
   * given instead; undefined when there is none. Users and accounts come back in the order they were saved.
   */
  loadSnapshot(query: { snapshotId: string } | { subscriptionId: string }): Promise<StoredSnapshot | undefined>;
  /** Newest first (by `at`, then by save order), of one subscription or of all. */
  listSnapshots(subscriptionId?: string): Promise<SnapshotRef[]>;

  /** Throws StoreError `snapshot_not_found` (storing nothing) when a snapshot id is unknown. */
  saveReadinessRun(input: { snapshotIds: string[]; report: ReadinessReport; at: string }): Promise<string>;
  loadReadinessRun(id: string): Promise<{ id: string; snapshotIds: string[]; at: string; report: ReadinessReport } | undefined>;

  /** Appends to the audit log; entries are never updated or deleted (the database refuses it too). */
  appendAudit(entry: AuditInput): Promise<AuditEntry>;
  listAudit(filter?: AuditFilter): Promise<AuditEntry[]>;
}

export interface MigrationResult {
  name: string;
  status: 'applied' | 'failed';
  error?: string;
}

export interface SnapshotInput {
  subscription: Subscription;
  users: ProductUser[];
  ims: ImsDirectory;
  /** Where the data came from (file paths or URLs), for the audit trail. */
  sources: Record<string, string>;
  /** ISO-8601 instant (the caller's clock). Every stored instant is returned in `toISOString()` form. */
  at: string;
}

export interface SnapshotRef {
  id: string;
  subscriptionId: string;
  at: string;
  userCount: number;
  imsAccountCount: number;
  /** SHA-256 over the canonical JSON of users + IMS directory + subscription; plans refuse a stale snapshot. */
  digest: string;
}

export interface StoredSnapshot extends SnapshotRef {
  subscription: Subscription;
  users: ProductUser[];
  ims: ImsDirectory;
  sources: Record<string, string>;
}

export interface AuditInput {
  at: string;
  /** Who acted: `cli:<os user>`, `admin:<product user id>`, `system`. */
  actor: string;
  /** Namespaced action key, e.g. `snapshot:imported`, `readiness:run`, `user:skipped`. */
  action: string;
  subscriptionId?: string | null;
  /** Subject of the action (a product user id, a snapshot id...). */
  target?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEntry extends Required<Omit<AuditInput, 'details'>> {
  seq: number;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  subscriptionId?: string;
  action?: string;
  actor?: string;
  /** Only entries with `seq` greater than this. Results are always in `seq` order. */
  sinceSeq?: number;
  limit?: number;
}
