/**
 * Reads an import file as text. Refuses what would silently corrupt names and addresses: UTF-16 (Excel's
 * "Unicode Text") and bytes that are not UTF-8 (Excel's legacy "CSV" in a Windows code page), with the position
 * of the first bad byte, instead of letting the decoder turn them into U+FFFD.
 */
import { readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { ImportError } from './import-error.ts';
import { lineColumnAt } from './json-locator.ts';

const UTF8_EXPECTED = 'UTF-8 text (in Excel: Save As "CSV UTF-8")';

/** Synchronous: the CLI reads its few input files before doing anything else. */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (cause) {
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
