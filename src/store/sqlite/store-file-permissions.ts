/**
 * Who may read Rehome's SQLite store: only its owner. The store holds every product user's email, the embedded
 * IMS's accounts and password hashes, sessions and the audit log, so the file (and SQLite's `-wal`/`-shm` beside
 * it) is 0600 and its directory 0700 when Rehome creates them; an existing file or directory that group or others
 * can read, write or enter is refused at start with the `chmod` that fixes it, rather than opened and used.
 */
import { closeSync, fchmodSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StoreError } from '../store-error.ts';

export const STORE_FILE_MODE = 0o600;
export const STORE_DIR_MODE = 0o700;
/** Group and other bits: any of them set is looser than the store allows. */
const GROUP_OTHER = 0o077;
/** Files SQLite keeps beside the database in WAL mode; they hold recent pages, so they need the same care. */
const SIDE_FILES = ['-wal', '-shm'];

/**
 * Creates the store's directory (0700) and empty database file (0600) when missing; refuses (`store_permissions`)
 * an existing directory, database, `-wal` or `-shm` with group or other bits. A path that exists but is not a
 * regular file is left for SQLite to refuse (`store_unavailable`). POSIX only: Windows has no mode bits to check.
 */
export function prepareStoreFile(path: string, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') return;
  const file = resolve(path);
  const existing = statOrUndefined(file);
  if (existing !== undefined && !existing.isFile()) return;
  const dir = dirname(file);
  const dirStats = statOrUndefined(dir);
  if (dirStats === undefined) mkdirSync(dir, { recursive: true, mode: STORE_DIR_MODE });
  else if (dirStats.isDirectory()) refuseLoose(dir, dirStats, STORE_DIR_MODE, 'directory');
  if (existing === undefined) createEmptyStoreFile(file);
  else refuseLoose(file, existing, STORE_FILE_MODE, 'file');
  for (const suffix of SIDE_FILES) {
    const side = statOrUndefined(`${file}${suffix}`);
    if (side !== undefined && side.isFile()) refuseLoose(`${file}${suffix}`, side, STORE_FILE_MODE, 'file');
  }
}

/** SQLite creates `-wal`/`-shm` with the database file's mode, so a 0600 database gives 0600 side files. */
function createEmptyStoreFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', STORE_FILE_MODE);
  } catch (error) {
    // Another process created it between our stat and open: check that one instead.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return refuseLoose(file, statSync(file), STORE_FILE_MODE, 'file');
    throw error;
  }
  try {
    // The umask can only remove bits; set the mode exactly so an odd umask (0277) cannot leave it unwritable.
    fchmodSync(fd, STORE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

function refuseLoose(path: string, stats: Stats, wanted: number, what: 'file' | 'directory'): void {
  const mode = stats.mode & 0o777;
  if ((mode & GROUP_OTHER) === 0) return;
  throw new StoreError(
    'store_permissions',
    `the store ${what} ${path} is open to group or others (mode ${octal(mode)}; it holds user data and password hashes). ` +
      `Run: chmod ${octal(wanted)} ${shellQuote(path)}`,
  );
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(3, '0');
}

/** The path as one shell word, so the printed command can be pasted even when the path holds spaces or quotes. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
