import { DatabaseSync } from 'node:sqlite';
import { SCHEMA } from './schema.ts';

/** Engage's database: one SQLite file (or `:memory:`), WAL, foreign keys on. */
export interface EngageDb {
  readonly sqlite: DatabaseSync;
  /** Runs `work` in one transaction (nested calls join the outer one). */
  transaction<T>(work: () => T): T;
  /** Like `transaction`, for work that awaits only already-settled promises (the kit's async store methods). */
  transactionAsync<T>(work: () => Promise<T>): Promise<T>;
  close(): void;
}

export function openEngageDb(path: string): EngageDb {
  const sqlite = new DatabaseSync(path);
  // synchronous = NORMAL is the WAL setting SQLite recommends: a commit no longer waits for an fsync (a power cut may
  // lose the last commits, never corrupt the file), which took most of each sign-in's time.
  sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  sqlite.exec(SCHEMA);
  let depth = 0;
  const begin = (): void => {
    if (depth++ === 0) sqlite.exec('BEGIN IMMEDIATE');
  };
  const end = (ok: boolean): void => {
    if (--depth === 0) sqlite.exec(ok ? 'COMMIT' : 'ROLLBACK');
  };
  return {
    sqlite,
    transaction(work) {
      begin();
      try {
        const result = work();
        end(true);
        return result;
      } catch (error) {
        end(false);
        throw error;
      }
    },
    async transactionAsync(work) {
      begin();
      try {
        const result = await work();
        end(true);
        return result;
      } catch (error) {
        end(false);
        throw error;
      }
    },
    close() {
      if (sqlite.isOpen) sqlite.close();
    },
  };
}

/** node:sqlite cannot bind booleans. */
export const bit = (value: boolean): number => (value ? 1 : 0);
