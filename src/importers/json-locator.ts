/**
 * A small JSON parser that remembers where each value starts, because `JSON.parse` gives neither the position of
 * a field (for `file:line:column` on a wrong value) nor, for most syntax errors, the position of the error. Used on
 * small files (subscriptions) and, for JSON lines, only on the lines that failed: `JSON.parse` stays the fast path.
 *
 * Paths look like the ones in error messages: `imsOrg.claimedDomains[2]`; the root is `''`.
 *
 * Nesting is capped at MAX_JSON_DEPTH: this parser recurses, and so do JSON.stringify and every walk over the value
 * after it, so a file of ten thousand `[` would otherwise end in "Maximum call stack size exceeded".
 */

/** Levels of arrays and objects one JSON text may nest; the deepest import format needs three. */
export const MAX_JSON_DEPTH = 64;

export interface LocatedJson {
  value: unknown;
  /** Offset (in the parsed text) of the first character of the value at each path. */
  offsets: Map<string, number>;
}

/** Where and why a text is not acceptable JSON; `json_too_deep` when it is JSON but nests past MAX_JSON_DEPTH. */
export class JsonSyntaxProblem {
  readonly offset: number;
  readonly expected: string;
  readonly code: 'json_syntax' | 'json_too_deep';
  constructor(offset: number, expected: string, code: 'json_syntax' | 'json_too_deep' = 'json_syntax') {
    this.offset = offset;
    this.expected = expected;
    this.code = code;
  }
}

export const TOO_DEEP_EXPECTED = `at most ${MAX_JSON_DEPTH} levels of nested arrays and objects`;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Parses `text` as one JSON value; throws `JsonSyntaxProblem` at the first offending character. */
export function parseLocatedJson(text: string): LocatedJson {
  const offsets = new Map<string, number>();
  let pos = 0;

  const fail = (expected: string): never => {
    throw new JsonSyntaxProblem(pos, expected);
  };
  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else return;
    }
  };
  const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

  const parseString = (): string => {
    const start = pos;
    pos++;
    for (;;) {
      if (pos >= text.length) {
        pos = start;
        fail('a closing " for this string');
      }
      const c = text.charCodeAt(pos);
      if (c === 34) break;
      if (c < 0x20) fail('no line break or control character inside a string (write \\n)');
      if (c === 92) {
        const e = text[pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) fail('four hex digits after \\u');
          pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        pos += 2;
        continue;
      }
      pos++;
    }
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };

  const parseValue = (path: string, depth: number): unknown => {
    skipSpace();
    offsets.set(path, pos);
    const c = text[pos];
    if ((c === '{' || c === '[') && depth >= MAX_JSON_DEPTH) throw new JsonSyntaxProblem(pos, TOO_DEEP_EXPECTED, 'json_too_deep');
    if (c === '{') {
      pos++;
      const object: Record<string, unknown> = {};
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return object;
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail('a property name in double quotes');
        const key = parseString();
        skipSpace();
        if (text[pos] !== ':') fail('":" after a property name');
        pos++;
        const value = parseValue(join(path, key), depth + 1);
        Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return object;
        }
        fail('"," or "}" after a property value');
      }
    }
    if (c === '[') {
      pos++;
      const array: unknown[] = [];
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return array;
      }
      for (;;) {
        array.push(parseValue(`${path}[${array.length}]`, depth + 1));
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return array;
        }
        fail('"," or "]" after an array element');
      }
    }
    if (c === '"') return parseString();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m !== null) {
      pos += m[0].length;
      return Number(m[0]);
    }
    return fail(pos >= text.length ? 'a JSON value, not the end of the text' : 'a JSON value');
  };

  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  const value = parseValue('', 0);
  skipSpace();
  if (pos < text.length) fail('the end of the JSON text');
  return { value, offsets };
}

/**
 * True when `value` (from JSON.parse, which does not recurse and so accepts any depth) nests arrays and objects
 * deeper than `max`. Recurses at most `max + 1` levels, so it cannot overflow itself.
 */
export function isDeeperThan(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (max === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (isDeeperThan(value[i], max - 1)) return true;
    return false;
  }
  for (const key in value) if (isDeeperThan((value as Record<string, unknown>)[key], max - 1)) return true;
  return false;
}

/** 1-based line and column of `offset` in `text` (CRLF, LF and CR each end a line). */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
