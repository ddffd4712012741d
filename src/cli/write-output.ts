import { renameSync, writeFileSync, rmSync } from 'node:fs';
import { CliError } from './cli-error.ts';

/** Writes through a temporary file and a rename, so a crash or a full disk never leaves half a report. */
export function writeOutputFile(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new CliError('output_unwritable', `${path}: cannot write (${(e as Error).message})`, 1);
  }
}
