import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { byteSink, type TextSink } from '../../reports/text-sink.ts';
import { checkOutputTarget } from '../write-output.ts';
import { CliError } from '../cli-error.ts';

/**
 * `--out FILE` for a report written as it is decided: the text goes to an unguessable temporary file beside the
 * target (created exclusively, the target's mode kept), which takes the target's name only once the whole report
 * is written and synced. A failure half-way removes it: never half a report under the name. The same rules as
 * write-output.ts `writeOutputFile`, for text that is never one string.
 */
export function writeReportFile(path: string, write: (sink: TextSink) => void): void {
  const existing = checkOutputTarget(path);
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    if (existing !== undefined) fchmodSync(fd, existing.mode & 0o777);
    const out = fd;
    const sink = byteSink((bytes) => writeAll(out, bytes));
    write(sink);
    sink.end();
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    if (e instanceof CliError) throw e;
    throw new CliError('output_unwritable', `${path}: cannot write (${(e as Error).message})`, 1);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}
