/**
 * Compares two access snapshots per user. A grant that disappears is `lost` unless it reappears elsewhere in a
 * recognisable form: same workspace and role in another partition (`partition_reassigned`), or same workspace and
 * partition with another role (`role_changed`). A user absent afterwards is `user_missing`. Anything lost (or a
 * user who stopped being active) makes the user's severity `loss`: somebody can no longer reach what they had.
 */
import type { AccessGrant, ProductUserStatus } from '../model.ts';
import type { AccessSnapshot, AccessSnapshotUser } from './access-snapshot.ts';

export type AccessDifference =
  | { kind: 'lost'; grant: AccessGrant }
  | { kind: 'gained'; grant: AccessGrant }
  | { kind: 'partition_reassigned'; workspace: string; role: string; from: string; to: string }
  | { kind: 'role_changed'; workspace: string; partition: string; from: string; to: string }
  | { kind: 'status_changed'; from: ProductUserStatus; to: ProductUserStatus }
  | { kind: 'user_missing'; grants: AccessGrant[] }
  | { kind: 'user_added'; grants: AccessGrant[] };

export type AccessDifferenceKind = AccessDifference['kind'];
export type AccessSeverity = 'loss' | 'change' | 'gain';

export interface UserAccessDiff {
  userId: string;
  email?: string;
  severity: AccessSeverity;
  differences: AccessDifference[];
}

export interface AccessDiff {
  /** Users with at least one difference: losses first, then by id. */
  users: UserAccessDiff[];
  summary: {
    usersBefore: number;
    usersAfter: number;
    unchanged: number;
    bySeverity: Record<AccessSeverity, number>;
    byKind: Record<AccessDifferenceKind, number>;
    /** True when any user lost access: `rehome verify` exits 3. */
    anyLoss: boolean;
  };
}

const SEVERITY_ORDER: Record<AccessSeverity, number> = { loss: 0, change: 1, gain: 2 };

export function diffAccess(before: AccessSnapshot, after: AccessSnapshot): AccessDiff {
  const afterById = new Map(after.users.map((u) => [u.id, u]));
  const beforeIds = new Set(before.users.map((u) => u.id));
  const users: UserAccessDiff[] = [];
  const byKind: Record<AccessDifferenceKind, number> = { lost: 0, gained: 0, partition_reassigned: 0, role_changed: 0, status_changed: 0, user_missing: 0, user_added: 0 };
  const record = (user: AccessSnapshotUser, differences: AccessDifference[]) => {
    if (differences.length === 0) return;
    for (const d of differences) byKind[d.kind]++;
    users.push({ userId: user.id, ...(user.email !== undefined ? { email: user.email } : {}), severity: severityOf(differences), differences });
  };
  for (const user of before.users) {
    const later = afterById.get(user.id);
    record(user, later === undefined ? [{ kind: 'user_missing', grants: uniqueGrants(user.grants) }] : diffUser(user, later));
  }
  for (const user of after.users) {
    if (!beforeIds.has(user.id)) record(user, [{ kind: 'user_added', grants: uniqueGrants(user.grants) }]);
  }
  users.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  const bySeverity: Record<AccessSeverity, number> = { loss: 0, change: 0, gain: 0 };
  for (const u of users) bySeverity[u.severity]++;
  const compared = before.users.length + after.users.filter((u) => !beforeIds.has(u.id)).length;
  return {
    users,
    summary: { usersBefore: before.users.length, usersAfter: after.users.length, unchanged: compared - users.length, bySeverity, byKind, anyLoss: bySeverity.loss > 0 },
  };
}

function diffUser(before: AccessSnapshotUser, after: AccessSnapshotUser): AccessDifference[] {
  const differences: AccessDifference[] = [];
  if (before.status !== undefined && after.status !== undefined && before.status !== after.status) {
    differences.push({ kind: 'status_changed', from: before.status, to: after.status });
  }
  const afterKeys = new Set(after.grants.map(grantKey));
  const beforeKeys = new Set(before.grants.map(grantKey));
  const gone = uniqueGrants(before.grants).filter((g) => !afterKeys.has(grantKey(g)));
  const added = uniqueGrants(after.grants).filter((g) => !beforeKeys.has(grantKey(g)));
  pairUp(gone, added, (b, a) => b.workspace === a.workspace && b.role === a.role, (b, a) => {
    differences.push({ kind: 'partition_reassigned', workspace: b.workspace, role: b.role, from: b.partition, to: a.partition });
  });
  pairUp(gone, added, (b, a) => b.workspace === a.workspace && b.partition === a.partition, (b, a) => {
    differences.push({ kind: 'role_changed', workspace: b.workspace, partition: b.partition, from: b.role, to: a.role });
  });
  for (const grant of gone) differences.push({ kind: 'lost', grant });
  for (const grant of added) differences.push({ kind: 'gained', grant });
  return differences;
}

/** Pairs grants of `gone` with grants of `added` (first fit, input order) and removes the pairs from both lists. */
function pairUp(gone: AccessGrant[], added: AccessGrant[], fits: (b: AccessGrant, a: AccessGrant) => boolean, emit: (b: AccessGrant, a: AccessGrant) => void): void {
  for (let i = 0; i < gone.length; ) {
    const j = added.findIndex((a) => fits(gone[i]!, a));
    if (j < 0) {
      i++;
      continue;
    }
    emit(gone[i]!, added[j]!);
    gone.splice(i, 1);
    added.splice(j, 1);
  }
}

function severityOf(differences: readonly AccessDifference[]): AccessSeverity {
  let severity: AccessSeverity = 'gain';
  for (const d of differences) {
    if (d.kind === 'lost' || d.kind === 'user_missing' || (d.kind === 'status_changed' && d.from === 'active')) return 'loss';
    if (d.kind !== 'gained' && d.kind !== 'user_added') severity = 'change';
  }
  return severity;
}

function grantKey(g: AccessGrant): string {
  return `${g.workspace}\u0000${g.partition}\u0000${g.role}`;
}

function uniqueGrants(grants: readonly AccessGrant[]): AccessGrant[] {
  const seen = new Set<string>();
  return grants.filter((g) => {
    const key = grantKey(g);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
