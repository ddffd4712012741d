/**
 * The CSV reader of ./csv-reader.ts over a file read in chunks, so that a million-user export is never one string
 * in memory. Records are scanned by the same code; one that runs into the end of a chunk is scanned again with the
 * next chunk appended (`ScanState.final`), and the problems found while scanning a record are held back until the
 * record is whole, so none is reported twice. Line numbers, columns and messages are those of the whole-file
 * reader.
 */
import type { ImportErrorCollector, ImportErrorInit } from './import-error.ts';
import { locateCell, reportFieldCount, scanRecord, skipBlankLines, type CsvCell, type CsvRow, type CsvTable, type ScanState } from './csv-reader.ts';

/** Problems of the record being scanned, replayed once it is known to be whole. */
class HeldProblems {
  readonly held: ImportErrorInit[] = [];
  add(error: ImportErrorInit): void {
    this.held.push(error);
  }
}

interface Cursor {
  text: string;
  pos: number;
  line: number;
  lineStart: number;
  final: boolean;
}

/**
 * Reads `chunks` (consecutive pieces of one text) as CSV with a header record. The returned table's `rows` can be
 * iterated once; `locate` works for the row just returned (its chunk is still at hand).
 */
export function readCsvChunks(chunks: Iterator<string>, file: string, errors: ImportErrorCollector): CsvTable {
  const held = new HeldProblems();
  const cur: Cursor = { text: '', pos: 0, line: 1, lineStart: 0, final: false };

  /** Appends the next chunk to what is left of the current text; false when there is none. */
  const more = (): boolean => {
    const next = chunks.next();
    if (next.done) {
      cur.final = true;
      return false;
    }
    // Records start a line, so the carried text starts one too (lineStart == pos).
    cur.text = cur.pos === 0 ? cur.text + next.value : cur.text.slice(cur.pos) + next.value;
    cur.pos = 0;
    cur.lineStart = 0;
    return true;
  };

  /** One record into `values` (and `cells`); false at the end of the text. Problems go to `errors` once it is whole. */
  const record = (values: string[], cells: CsvCell[] | null): { offset: number; line: number } | undefined => {
    for (;;) {
      const s: ScanState = { text: cur.text, file, end: cur.text.length, pos: cur.pos, line: cur.line, lineStart: cur.lineStart, errors: held, final: cur.final, incomplete: false, fieldEnd: 0, valueEnd: 0 };
      const blanksEnd = skipBlankLines(s);
      const at = { offset: s.pos, line: s.line };
      const found = blanksEnd && scanRecord(s, values, cells);
      if (s.incomplete) {
        held.held.length = 0;
        values.length = 0;
        if (cells) cells.length = 0;
        // Blank lines before the record are consumed; the record itself is scanned again with more text (or,
        // at the end of the file, as the last record).
        cur.pos = cur.lineStart = at.offset;
        cur.line = at.line;
        more();
        continue;
      }
      for (const problem of held.held) errors.add(problem);
      held.held.length = 0;
      cur.pos = s.pos;
      cur.line = s.line;
      cur.lineStart = s.lineStart;
      return found ? at : undefined;
    }
  };

  more();
  const header: CsvCell[] = [];
  if (cur.text.charCodeAt(0) === 0xfeff) cur.pos = cur.lineStart = 1;
  record([], header);
  const width = header.length;
  const locate = (row: CsvRow, index: number) => locateCell(row.text ?? cur.text, file, row, index);

  const rows: Iterable<CsvRow> = {
    *[Symbol.iterator]() {
      for (;;) {
        const values: string[] = [];
        const at = record(values, null);
        if (at === undefined) return;
        const row: CsvRow = { values, line: at.line, offset: at.offset, text: cur.text };
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
