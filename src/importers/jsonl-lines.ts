import type { ImportErrorCollector } from './import-error.ts';
import { JsonSyntaxProblem, parseLocatedJson } from './json-locator.ts';

/** One non-blank line of a JSON-lines file. */
export interface JsonlLine {
  /** 1-based physical line number. */
  line: number;
  /** The line without its CR/LF. */
  text: string;
  /** Offset of `text` within its physical line (a byte-order mark on line 1), for exact columns in errors. */
  shift: number;
}

/** The non-blank lines of a JSON-lines file (LF or CRLF, optional BOM), with the positions errors point at. */
export function* jsonlLines(text: string): Generator<JsonlLine> {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let shift = start;
  let line = 0;
  while (start <= text.length) {
    line++;
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    start = end + 1;
    const lineShift = shift;
    shift = 0;
    if (raw.trim() !== '') yield { line, text: raw, shift: lineShift };
  }
}

/**
 * Parses one line as JSON; on a syntax error records `json_syntax` at the exact column (found by the locating
 * parser, since JSON.parse's message may carry no position and quotes the data) and returns `undefined`.
 */
export function parseJsonlLine(l: JsonlLine, file: string, errors: ImportErrorCollector): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(l.text) };
  } catch {
    let offset = 0;
    let expected = 'valid JSON';
    try {
      parseLocatedJson(l.text);
    } catch (problem) {
      if (problem instanceof JsonSyntaxProblem) ({ offset, expected } = problem);
    }
    errors.add({ code: 'json_syntax', file, line: l.line, column: l.shift + offset + 1, expected });
    return undefined;
  }
}
