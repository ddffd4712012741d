import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { describeFileType } from '../importers/file-type.ts';
import { CliError } from './cli-error.ts';

/**
 * Refuses (`output_not_a_file`, exit 2) a target that exists and is not a regular file. `writeOutputFile` checks
 * again; commands call this first too, so a wrong `--out` stops them before they store or apply anything.
 */
export function checkOutputTarget(path: string): Stats | undefined {
  const existing = statOrUndefined(path);
  if (existing !== undefined && !existing.isFile()) {
    throw new CliError('output_not_a_file', `${path}: output goes only to a regular file, and this is ${describeFileType(existing)}; nothing was written`);
  }
  return existing;
}

/**
 * Writes through a temporary file and a rename, so a crash or a full disk never leaves half a report. Only a
 * regular file (new or existing) is a valid target: the rename would replace a device, a FIFO or a socket with a
 * regular file (e.g. turn /dev/null into a report for every later user of it), and a directory cannot hold a
 * report, so those are refused before anything is written. An existing file keeps its mode (0600 stays 0600).
 */
export function writeOutputFile(path: string, content: string): void {
  const existing = checkOutputTarget(path);
  // Unguessable and created exclusively: a file or link planted at the temporary name is never written through.
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o666);
    try {
      if (existing !== undefined) fchmodSync(fd, existing.mode & 0o777);
      writeAll(fd, Buffer.from(content, 'utf8'));
      // Durable before it takes the name: a power loss right after the rename must not leave an empty report.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new CliError('output_unwritable', `${path}: cannot write (${(e as Error).message})`, 1);
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** The target as it is now; undefined when it does not exist (or cannot be looked at: writing will then say why). */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
