import type { ImportErrorCollector } from './import-error.ts';
import { isDeeperThan, JsonSyntaxProblem, parseLocatedJson, TOO_DEEP_EXPECTED } from './json-locator.ts';

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

/** `jsonlLines` over consecutive pieces of one text (a file read in chunks): the same lines, numbers and shifts. */
export function* jsonlLinesOfChunks(chunks: Iterable<string>): Generator<JsonlLine> {
  let carry = '';
  let line = 0;
  let shift = -1;
  const cut = (text: string, start: number, end: number) => text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
  for (const chunk of chunks) {
    const text = carry + chunk;
    let start = 0;
    if (shift === -1) start = shift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      line++;
      const raw = cut(text, start, end);
      const lineShift = shift;
      shift = 0;
      start = end + 1;
      if (raw.trim() !== '') yield { line, text: raw, shift: lineShift };
    }
    carry = text.slice(start);
  }
  // The last line, with no LF after it.
  const raw = cut(carry, 0, carry.length);
  if (raw.trim() !== '') yield { line: line + 1, text: raw, shift: Math.max(shift, 0) };
}

/**
 * Parses one line as JSON; on a syntax error records `json_syntax` at the exact column (found by the locating
 * parser, since JSON.parse's message may carry no position and quotes the data) and returns `undefined`. A line
 * nested deeper than MAX_JSON_DEPTH is `json_too_deep` at the bracket that goes too deep: JSON.parse accepts it,
 * but the importers' JSON.stringify of extra fields would then overflow the stack.
 */
export function parseJsonlLine(l: JsonlLine, file: string, errors: ImportErrorCollector): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(l.text);
  } catch {
    const problem = locateProblem(l.text);
    errors.add({ code: problem.code, file, line: l.line, column: l.shift + problem.offset + 1, expected: problem.expected });
    return undefined;
  }
  if (isDeeperThan(value)) {
    const problem = locateProblem(l.text);
    errors.add({ code: 'json_too_deep', file, line: l.line, column: l.shift + problem.offset + 1, expected: TOO_DEEP_EXPECTED });
    return undefined;
  }
  return { value };
}

/** The first problem the locating parser finds (it stops at the first bracket past the depth limit too). */
function locateProblem(text: string): JsonSyntaxProblem {
  try {
    parseLocatedJson(text);
  } catch (problem) {
    if (problem instanceof JsonSyntaxProblem) return problem;
  }
  return new JsonSyntaxProblem(0, 'valid JSON');
}
