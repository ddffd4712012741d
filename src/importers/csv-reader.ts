/**
 * An RFC 4180 CSV reader, by hand, because every error message needs the exact physical line and column of the
 * field, and because the files are big (1,000,000 users): fields are cut out with `slice`, never built char by
 * char, and positions are only computed for cells someone asks about (`locate`), i.e. on errors.
 *
 * Accepted beyond RFC 4180, because real exports do it: a UTF-8 byte-order mark, LF or CR line ends as well as
 * CRLF, blank (or whitespace-only) lines, which are skipped, and spaces or tabs around a field, which are trimmed
 * (outside quotes only: `" a "` keeps its spaces). A stray `"` inside an unquoted field, or text after a closing
 * quote, is a `csv_syntax` error (reported, then read as literal text so later problems still show); an
 * unterminated quoted field stops the reader. A record whose field count differs from the header's is a
 * `field_count` error and is not returned.
 */
import { ImportErrorCollector } from './import-error.ts';

export interface CsvCell {
  value: string;
  line: number;
  column: number;
}

export interface CsvRow {
  values: string[];
  /** 1-based line where the record starts. */
  line: number;
  /** Offset of the record's first character in the text (records always start a line). */
  offset: number;
}

export interface CsvTable {
  file: string;
  /** The first record; empty when the file holds no record at all. */
  header: CsvCell[];
  /** The data records; each iteration reads the text again, lazily. */
  rows: Iterable<CsvRow>;
  /** Line and column of cell `index` of `row` (or of the record end when the row is shorter). */
  locate(row: CsvRow, index: number): { line: number; column: number };
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

interface ScanState {
  readonly text: string;
  readonly file: string;
  readonly end: number;
  pos: number;
  line: number;
  lineStart: number;
  /** Null while re-scanning for `locate`: problems were reported on the first pass. */
  readonly errors: ImportErrorCollector | null;
  /** Results of `scanUnquoted` (fields, not a returned object: it runs once per cell). */
  fieldEnd: number;
  valueEnd: number;
}

/**
 * Reads `text` (a whole file) as CSV with a header record. Syntax problems go to `errors` (by default the first
 * one is thrown); `file` only labels the messages.
 */
export function readCsv(text: string, file: string, errors: ImportErrorCollector = new ImportErrorCollector(1)): CsvTable {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const state: ScanState = { text, file, end: text.length, pos: start, line: 1, lineStart: start, errors, fieldEnd: 0, valueEnd: 0 };
  const header: CsvCell[] = [];
  scanRecord(state, [], header);
  const dataStart = { pos: state.pos, line: state.line };
  const width = header.length;

  function locate(row: CsvRow, index: number): { line: number; column: number } {
    const again: ScanState = { text, file, end: text.length, pos: row.offset, line: row.line, lineStart: row.offset, errors: null, fieldEnd: 0, valueEnd: 0 };
    const cells: CsvCell[] = [];
    scanRecord(again, [], cells);
    // Past the last field (a short record): its last field is the nearest place to show.
    const cell = cells[Math.min(index, cells.length - 1)];
    return cell === undefined ? { line: row.line, column: 1 } : { line: cell.line, column: cell.column };
  }

  const rows: Iterable<CsvRow> = {
    *[Symbol.iterator]() {
      const s: ScanState = { text, file, end: text.length, pos: dataStart.pos, line: dataStart.line, lineStart: dataStart.pos, errors, fieldEnd: 0, valueEnd: 0 };
      for (;;) {
        const values: string[] = [];
        const found = skipBlankLines(s);
        if (!found) return;
        const row: CsvRow = { values, line: s.line, offset: s.pos };
        if (!scanRecord(s, values, null)) return;
        if (values.length !== width) {
          const at = locate(row, Math.min(values.length, width));
          errors.add({
            code: 'field_count',
            file,
            line: at.line,
            column: at.column,
            expected: `${width} fields as in the header`,
            detail: `got ${values.length} fields${values.length > width ? '; quote cells that contain commas' : ''}`,
          });
          continue;
        }
        yield row;
      }
    },
  };

  return { file, header, rows, locate };
}

/** Moves past blank or whitespace-only lines; false at the end of the text. */
function skipBlankLines(s: ScanState): boolean {
  const { text, end } = s;
  for (;;) {
    let p = s.pos;
    let c = 0;
    while (p < end && ((c = text.charCodeAt(p)) === SPACE || c === TAB)) p++;
    if (p >= end) {
      s.pos = end;
      return false;
    }
    if (c !== LF && c !== CR) return true;
    p += c === CR && text.charCodeAt(p + 1) === LF ? 2 : 1;
    s.line++;
    s.lineStart = p;
    s.pos = p;
  }
}

/**
 * Reads one record at `s.pos` into `values` (and `cells`, with positions, when given). Returns false when nothing
 * was read: end of text, or an unterminated quote (reported).
 */
function scanRecord(s: ScanState, values: string[], cells: CsvCell[] | null): boolean {
  if (!skipBlankLines(s)) return false;
  const { text, end } = s;
  for (;;) {
    let p = s.pos;
    let c = 0;
    while (p < end && ((c = text.charCodeAt(p)) === SPACE || c === TAB)) p++;
    const fieldLine = s.line;
    const fieldColumn = p - s.lineStart + 1;
    let value: string;
    let r: number;
    if (p < end && c === QUOTE) {
      value = '';
      let chunk = p + 1;
      let close: number;
      for (;;) {
        close = text.indexOf('"', chunk);
        if (close === -1) {
          s.errors?.add({
            code: 'csv_syntax',
            file: s.file,
            line: fieldLine,
            column: fieldColumn,
            field: undefined,
            detail: 'unterminated quoted field: the closing " is missing',
          });
          s.pos = end;
          return false;
        }
        if (text.charCodeAt(close + 1) !== QUOTE) break;
        value += text.slice(chunk, close + 1);
        chunk = close + 2;
      }
      value += text.slice(chunk, close);
      countLines(s, p + 1, close);
      r = close + 1;
      while (r < end && ((c = text.charCodeAt(r)) === SPACE || c === TAB)) r++;
      if (r < end && c !== COMMA && c !== LF && c !== CR) {
        s.errors?.add({
          code: 'csv_syntax',
          file: s.file,
          line: s.line,
          column: r - s.lineStart + 1,
          detail: 'text after a closing quote; a " inside a quoted field is written ""',
        });
        scanUnquoted(s, r);
        value += text.slice(r, s.valueEnd);
        r = s.fieldEnd;
      }
    } else {
      scanUnquoted(s, p);
      value = text.slice(p, s.valueEnd);
      r = s.fieldEnd;
    }
    values.push(value);
    if (cells !== null) cells.push({ value, line: fieldLine, column: fieldColumn });
    if (r >= end) {
      s.pos = end;
      return true;
    }
    c = text.charCodeAt(r);
    if (c === COMMA) {
      s.pos = r + 1;
      continue;
    }
    r += c === CR && text.charCodeAt(r + 1) === LF ? 2 : 1;
    s.line++;
    s.lineStart = r;
    s.pos = r;
    return true;
  }
}

/** Finds the end of an unquoted field starting at `p`: `s.fieldEnd` at the delimiter, `s.valueEnd` before trailing blanks. */
function scanUnquoted(s: ScanState, p: number): void {
  const { text, end } = s;
  let q = p;
  let c = 0;
  let reported = false;
  while (q < end) {
    c = text.charCodeAt(q);
    if (c === COMMA || c === LF || c === CR) break;
    if (c === QUOTE && !reported && s.errors !== null) {
      reported = true;
      s.errors.add({
        code: 'csv_syntax',
        file: s.file,
        line: s.line,
        column: q - s.lineStart + 1,
        detail: 'stray " in an unquoted field; quote the whole field and write the quote as ""',
      });
    }
    q++;
  }
  let e = q;
  while (e > p && ((c = text.charCodeAt(e - 1)) === SPACE || c === TAB)) e--;
  s.fieldEnd = q;
  s.valueEnd = e;
}

/** Advances the line counter over the line breaks inside a quoted field (CRLF counts once). */
function countLines(s: ScanState, from: number, to: number): void {
  const { text } = s;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) {
      s.line++;
      s.lineStart = i + 1;
    }
  }
}
