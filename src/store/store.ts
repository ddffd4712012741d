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

  /** Stores a subscription, its users and the IMS directory as one immutable snapshot, in one transaction. */
  saveSnapshot(input: SnapshotInput): Promise<SnapshotRef>;
  /** The snapshot by id, or the newest one of a subscription when `subscriptionId` is given instead. */
  loadSnapshot(query: { snapshotId: string } | { subscriptionId: string }): Promise<StoredSnapshot | undefined>;
  listSnapshots(subscriptionId?: string): Promise<SnapshotRef[]>;

  saveReadinessRun(input: { snapshotIds: string[]; report: ReadinessReport; at: string }): Promise<string>;
  loadReadinessRun(id: string): Promise<{ id: string; snapshotIds: string[]; at: string; report: ReadinessReport } | undefined>;

  /** Appends to the audit log; entries are never updated or deleted. */
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
  /** ISO-8601 instant (the caller's clock). */
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
  sinceSeq?: number;
  limit?: number;
}
