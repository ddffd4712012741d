import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeProductUsersCsv } from '../../../../src/exporters/product-users-csv.ts';
import type { EngageDb } from '../db/engage-db.ts';
import { listStoredLinks } from '../content/stored-links.ts';
import { listTickets } from '../content/tickets.ts';
import { listAllUsers, toProductUser } from '../users/user-records.ts';

export interface ExportedFiles {
  users: string;
  links: string;
  tickets: string;
}

/**
 * Writes one subscription's exports in the formats Rehome imports (docs/importing.md): `users.csv`, and JSON lines
 * `links.jsonl` (`{ kind, id, field, text }`) and `tickets.jsonl`.
 */
export function writeExports(db: EngageDb, subscriptionId: string, dir: string): ExportedFiles {
  mkdirSync(dir, { recursive: true });
  const users = listAllUsers(db, subscriptionId).map(toProductUser);
  const extra = [...new Set(users.flatMap((u) => Object.keys(u.attributes)))].sort();
  const files: ExportedFiles = { users: join(dir, 'users.csv'), links: join(dir, 'links.jsonl'), tickets: join(dir, 'tickets.jsonl') };
  writeFileSync(files.users, writeProductUsersCsv(users, extra));
  writeFileSync(files.links, jsonLines(listStoredLinks(db, subscriptionId)));
  writeFileSync(files.tickets, jsonLines(listTickets(db, subscriptionId)));
  return files;
}

function jsonLines(items: unknown[]): string {
  return items.map((item) => JSON.stringify(item)).join('\n') + (items.length > 0 ? '\n' : '');
}
