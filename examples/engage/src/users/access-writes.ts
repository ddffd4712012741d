import type { AccessGrant } from '../../../../src/core/model.ts';
import type { EngageDb } from '../db/engage-db.ts';

/** Replaces a user's access entries; unknown workspace/partition/role names are created in the subscription. */
export function replaceAccess(db: EngageDb, subscriptionId: string, userId: string, access: AccessGrant[]): void {
  db.transaction(() => {
    db.sqlite.prepare('DELETE FROM user_access WHERE user_id = ?').run(userId);
    const insert = db.sqlite.prepare('INSERT OR IGNORE INTO user_access (user_id, workspace_id, partition_id, role_id) VALUES (?, ?, ?, ?)');
    for (const a of access) {
      insert.run(userId, nameId(db, 'workspaces', subscriptionId, a.workspace), nameId(db, 'partitions', subscriptionId, a.partition), nameId(db, 'roles', subscriptionId, a.role));
    }
  });
}

export function nameId(db: EngageDb, table: 'workspaces' | 'partitions' | 'roles', subscriptionId: string, name: string): number {
  db.sqlite.prepare(`INSERT OR IGNORE INTO ${table} (subscription_id, name) VALUES (?, ?)`).run(subscriptionId, name);
  return (db.sqlite.prepare(`SELECT id FROM ${table} WHERE subscription_id = ? AND name = ?`).get(subscriptionId, name) as { id: number }).id;
}
