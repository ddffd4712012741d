/**
 * Reads an import file as text. Only a regular file: a FIFO would block the import until someone writes to it,
 * a device like /dev/zero never ends, a directory or socket holds no text; those are refused by `fs.stat` before
 * anything opens them (`not_a_regular_file`). Refuses what would silently corrupt names and addresses: UTF-16
 * (Excel's "Unicode Text") and bytes that are not UTF-8 (Excel's legacy "CSV" in a Windows code page), with the
 * position of the first bad byte, instead of letting the decoder turn them into U+FFFD.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { describeFileType } from './file-type.ts';
import { ImportError } from './import-error.ts';
import { lineColumnAt } from './json-locator.ts';

const UTF8_EXPECTED = 'UTF-8 text (in Excel: Save As "CSV UTF-8")';
// O_NONBLOCK: should the path turn into a FIFO between the stat and the open, the open returns instead of waiting
// for a writer, and the fstat below refuses it. It changes nothing for a regular file.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Refuses a path that exists and is not a regular file (`not_a_regular_file`); returns false when it does not
 * exist, so callers can say "not found" their own way. Follows symbolic links: the target decides.
 */
export function checkInputFile(path: string): boolean {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code;
    if (reason === 'ENOENT' || reason === 'ENOTDIR') return false;
    throw new ImportError({ code: 'file_unreadable', file: path, detail: `cannot read the file (${reason ?? 'error'})`, cause });
  }
  refuseSpecialFile(path, stats);
  return true;
}

function refuseSpecialFile(path: string, stats: Stats): void {
  if (stats.isFile()) return;
  throw new ImportError({ code: 'not_a_regular_file', file: path, detail: `${describeFileType(stats)}, not a regular file: save the data to a file and give that` });
}

const CHUNK_BYTES = 4 * 2 ** 20;

/**
 * The file's text in chunks of about 4 MiB (a multi-byte character is never split), with the checks of
 * `readTextFile`: a big export is read without ever being one string. On bytes that are not UTF-8 the whole file
 * is read once more by `readTextFile`, which throws the error with the exact line and column.
 */
export function* readTextChunks(path: string, chunkBytes = CHUNK_BYTES): Generator<string, void, undefined> {
  if (!checkInputFile(path)) throw new ImportError({ code: 'file_unreadable', file: path, detail: 'cannot read the file (ENOENT)' });
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
    refuseSpecialFile(path, fstatSync(fd));
  } catch (cause) {
    if (cause instanceof ImportError) throw cause;
    const reason = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new ImportError({ code: 'file_unreadable', file: path, detail: `cannot read the file (${reason})`, cause });
  }
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const buffer = Buffer.allocUnsafe(chunkBytes);
  // Bytes after the last line feed of the previous read, moved to the front of the buffer: each chunk then ends
  // a line, and a reader that resumes a line cut by a chunk end (rare: a quoted cell with a line break in it)
  // concatenates strings only then. A concatenated string is slower to scan than a decoded one.
  let carried = 0;
  let first = true;
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, carried, chunkBytes - carried, null);
      } catch (cause) {
        const reason = (cause as NodeJS.ErrnoException).code ?? 'error';
        throw new ImportError({ code: 'file_unreadable', file: path, detail: `cannot read the file (${reason})`, cause });
      }
      const total = carried + n;
      if (first && total >= 2 && ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff))) {
        throw new ImportError({ code: 'invalid_encoding', file: path, line: 1, column: 1, expected: UTF8_EXPECTED, detail: 'the file is UTF-16' });
      }
      first = false;
      const lastLf = n === 0 ? -1 : buffer.lastIndexOf(0x0a, total - 1);
      const cut = lastLf < 0 ? total : lastLf + 1;
      let text: string;
      try {
        text = decoder.decode(buffer.subarray(0, cut), { stream: n > 0 });
      } catch {
        readTextFile(path);
        throw new ImportError({ code: 'invalid_encoding', file: path, expected: UTF8_EXPECTED, detail: 'bytes that are not UTF-8' });
      }
      buffer.copy(buffer, 0, cut, total);
      carried = total - cut;
      if (text !== '') yield text;
      if (n === 0) return;
    }
  } finally {
    closeSync(fd);
  }
}

/** Synchronous: the CLI reads its few input files before doing anything else. */
export function readTextFile(path: string): string {
  if (!checkInputFile(path)) throw new ImportError({ code: 'file_unreadable', file: path, detail: 'cannot read the file (ENOENT)' });
  let bytes: Buffer;
  try {
    const fd = openSync(path, OPEN_FLAGS);
    try {
      refuseSpecialFile(path, fstatSync(fd));
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (cause) {
    if (cause instanceof ImportError) throw cause;
    const reason = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new ImportError({ code: 'file_unreadable', file: path, detail: `cannot read the file (${reason})`, cause });
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ImportError({ code: 'invalid_encoding', file: path, line: 1, column: 1, expected: UTF8_EXPECTED, detail: 'the file is UTF-16' });
  }
  if (!isUtf8(bytes)) {
    const lenient = bytes.toString('utf8');
    const at = lineColumnAt(lenient, Math.max(0, lenient.indexOf('\ufffd')));
    throw new ImportError({ code: 'invalid_encoding', file: path, line: at.line, column: at.column, expected: UTF8_EXPECTED, detail: 'this byte is not UTF-8' });
  }
  try {
    return bytes.toString('utf8');
  } catch (cause) {
    // V8 caps strings at ~512 MiB; say so instead of a bare ERR_STRING_TOO_LONG.
    throw new ImportError({ code: 'file_unreadable', file: path, detail: `the file is too large to read at once (${bytes.length} bytes)`, cause });
  }
}
