/**
 * What each user can reach in the product at one moment: roles, workspaces and partitions as AccessGrant lists.
 * Taken before the user phase and again after it; `diffAccess` compares the two.
 */
import type { AccessGrant, ProductUser, ProductUserStatus } from '../model.ts';

export interface AccessSnapshotUser {
  id: string;
  email?: string;
  status?: ProductUserStatus;
  grants: AccessGrant[];
}

export interface AccessSnapshot {
  /** ISO-8601 instant, when known. */
  takenAt?: string;
  users: AccessSnapshotUser[];
}

export function accessSnapshotFromUsers(users: readonly ProductUser[], takenAt?: string): AccessSnapshot {
  return {
    ...(takenAt ? { takenAt } : {}),
    users: users.map((u) => ({ id: u.id, email: u.email, status: u.status, grants: u.access.map((g) => ({ ...g })) })),
  };
}

const STATUSES = new Set(['active', 'invited', 'deactivated']);

/**
 * Reads an access snapshot from parsed JSON: `{ users: [{ id, email?, status?, grants | access }] }` or a bare
 * list, where `access` may also be the CSV form `Workspace/Partition:Role;...`. Problems are path-qualified.
 */
export function parseAccessSnapshot(data: unknown, file: string): { snapshot: AccessSnapshot } | { problems: string[] } {
  const problems: string[] = [];
  const root = Array.isArray(data) ? { users: data } : (data as { users?: unknown; takenAt?: unknown } | null);
  if (root === null || typeof root !== 'object' || !Array.isArray(root.users)) return { problems: [`${file}: expected { "users": [...] } or a JSON array of users`] };
  const users: AccessSnapshotUser[] = [];
  const seen = new Set<string>();
  root.users.forEach((raw, i) => {
    const at = `${file}: users[${i}]`;
    const u = raw as Record<string, unknown> | null;
    if (u === null || typeof u !== 'object') return void problems.push(`${at}: must be an object`);
    const id = typeof u.id === 'number' ? String(u.id) : u.id;
    if (typeof id !== 'string' || id.trim() === '') return void problems.push(`${at}.id: must be a non-empty string`);
    if (seen.has(id)) problems.push(`${at}.id: "${id}" appears twice`);
    seen.add(id);
    const grants = readGrants(u.grants ?? u.access ?? [], `${at}.${u.grants !== undefined ? 'grants' : 'access'}`, problems);
    const status = u.status;
    if (status !== undefined && (typeof status !== 'string' || !STATUSES.has(status))) problems.push(`${at}.status: must be active, invited or deactivated`);
    users.push({
      id,
      ...(typeof u.email === 'string' ? { email: u.email } : {}),
      ...(typeof status === 'string' && STATUSES.has(status) ? { status: status as ProductUserStatus } : {}),
      grants,
    });
  });
  if (problems.length > 0) return { problems };
  return { snapshot: { ...(typeof root.takenAt === 'string' ? { takenAt: root.takenAt } : {}), users } };
}

function readGrants(value: unknown, at: string, problems: string[]): AccessGrant[] {
  if (typeof value === 'string') {
    const out: AccessGrant[] = [];
    for (const entry of value.split(';').map((s) => s.trim()).filter(Boolean)) {
      const m = /^([^/:]+)\/([^/:]+):(.+)$/.exec(entry);
      if (m === null) problems.push(`${at}: "${entry}" is not Workspace/Partition:Role`);
      else out.push({ workspace: m[1]!.trim(), partition: m[2]!.trim(), role: m[3]!.trim() });
    }
    return out;
  }
  if (!Array.isArray(value)) {
    problems.push(`${at}: must be a list of { workspace, partition, role } or a Workspace/Partition:Role;... string`);
    return [];
  }
  return value.flatMap((g, j) => {
    const grant = g as Partial<AccessGrant> | null;
    if (grant && typeof grant.workspace === 'string' && typeof grant.partition === 'string' && typeof grant.role === 'string') {
      return [{ workspace: grant.workspace, partition: grant.partition, role: grant.role }];
    }
    problems.push(`${at}[${j}]: must be { "workspace": string, "partition": string, "role": string }`);
    return [];
  });
}
