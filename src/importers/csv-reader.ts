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
import { ImportErrorCollector, type ImportErrorInit } from './import-error.ts';

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
  /** The text `offset` points into, when it is not the whole file (a chunk of a streamed file). */
  text?: string;
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

/** Where scanning reports problems: a collector, or a buffer the streamed reader replays once a record is whole. */
export interface ProblemSink {
  add(error: ImportErrorInit): void;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

export interface ScanState {
  readonly text: string;
  readonly file: string;
  readonly end: number;
  pos: number;
  line: number;
  lineStart: number;
  /** Null while re-scanning for `locate`: problems were reported on the first pass. */
  readonly errors: ProblemSink | null;
  /**
   * False while more text may follow (a chunk of a streamed file): a record that runs into the end of the text is
   * then `incomplete` instead of ended, and the caller scans it again with the next chunk appended.
   */
  readonly final: boolean;
  incomplete: boolean;
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
  const state: ScanState = { text, file, end: text.length, pos: start, line: 1, lineStart: start, errors, final: true, incomplete: false, fieldEnd: 0, valueEnd: 0 };
  const header: CsvCell[] = [];
  scanRecord(state, [], header);
  const dataStart = { pos: state.pos, line: state.line };
  const width = header.length;

  const locate = (row: CsvRow, index: number) => locateCell(row.text ?? text, file, row, index);

  const rows: Iterable<CsvRow> = {
    *[Symbol.iterator]() {
      const s: ScanState = { text, file, end: text.length, pos: dataStart.pos, line: dataStart.line, lineStart: dataStart.pos, errors, final: true, incomplete: false, fieldEnd: 0, valueEnd: 0 };
      for (;;) {
        const values: string[] = [];
        const found = skipBlankLines(s);
        if (!found) return;
        const row: CsvRow = { values, line: s.line, offset: s.pos };
        if (!scanRecord(s, values, null)) return;
        if (values.length !== width) {
          reportFieldCount(errors, file, row, width, locate);
          continue;
        }
        yield row;
      }
    },
  };

  return { file, header, rows, locate };
}

/** Line and column of cell `index` of `row`, scanning its record again in `text` (only ever on an error). */
export function locateCell(text: string, file: string, row: CsvRow, index: number): { line: number; column: number } {
  const again: ScanState = { text, file, end: text.length, pos: row.offset, line: row.line, lineStart: row.offset, errors: null, final: true, incomplete: false, fieldEnd: 0, valueEnd: 0 };
  const cells: CsvCell[] = [];
  scanRecord(again, [], cells);
  // Past the last field (a short record): its last field is the nearest place to show.
  const cell = cells[Math.min(index, cells.length - 1)];
  return cell === undefined ? { line: row.line, column: 1 } : { line: cell.line, column: cell.column };
}

/** A record whose field count differs from the header's is reported and skipped. */
export function reportFieldCount(errors: ProblemSink, file: string, row: CsvRow, width: number, locate: CsvTable['locate']): void {
  const n = row.values.length;
  const at = locate(row, Math.min(n, width));
  errors.add({
    code: 'field_count',
    file,
    line: at.line,
    column: at.column,
    expected: `${width} fields as in the header`,
    detail: `got ${n} fields${n > width ? '; quote cells that contain commas' : ''}`,
  });
}

/** Moves past blank or whitespace-only lines; false at the end of the text. */
export function skipBlankLines(s: ScanState): boolean {
  const { text, end } = s;
  for (;;) {
    let p = s.pos;
    let c = 0;
    while (p < end && ((c = text.charCodeAt(p)) === SPACE || c === TAB)) p++;
    if (p >= end) {
      if (!s.final) return markIncomplete(s);
      s.pos = end;
      return false;
    }
    if (c !== LF && c !== CR) return true;
    if (c === CR && p + 1 >= end && !s.final) return markIncomplete(s);
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
export function scanRecord(s: ScanState, values: string[], cells: CsvCell[] | null): boolean {
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
        if (close === -1 && !s.final) return markIncomplete(s);
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
        // A quote at the very end of a chunk may be the first half of a doubled quote.
        if (close + 1 >= end && !s.final) return markIncomplete(s);
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
    if (r >= end && !s.final) return markIncomplete(s);
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
    // A CR that ends a chunk may be the first half of a CRLF: wait for the next chunk to count the line once.
    if (c === CR && r + 1 >= end && !s.final) return markIncomplete(s);
    r += c === CR && text.charCodeAt(r + 1) === LF ? 2 : 1;
    s.line++;
    s.lineStart = r;
    s.pos = r;
    return true;
  }
}

function markIncomplete(s: ScanState): false {
  s.incomplete = true;
  return false;
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
