/**
 * Errors of the importers. Every problem points at a place a person can open in an editor (`file:line:column`),
 * names the field and says what was expected, so a whole file can be fixed in one go: importers collect up to
 * `maxErrors` problems and throw them together as one `ImportErrors`.
 *
 * Cell contents appear only inside `message` (the CLI shows it to the operator); no other property holds them, so
 * logging an error object's fields never leaks a user's data.
 */

export type ImportErrorCode =
  /** Broken CSV: unterminated quote, stray quote, text after a closing quote. */
  | 'csv_syntax'
  /** A CSV record has more or fewer fields than the header. */
  | 'field_count'
  /** A required CSV column is absent from the header. */
  | 'missing_column'
  /** Two header cells name the same column. */
  | 'duplicate_column'
  /** A CSV cell does not have the expected form. */
  | 'invalid_value'
  /** An id appears twice in one file. */
  | 'duplicate_id'
  /** Broken JSON (or one line of JSON lines). */
  | 'json_syntax'
  /** A required JSON field is absent. */
  | 'missing_field'
  /** A JSON field has the wrong type or form. */
  | 'invalid_field'
  /** A JSON object holds a field this format does not define (usually a typo). */
  | 'unknown_field'
  /** The file holds no header / no data at all. */
  | 'empty_file'
  /** The file is not UTF-8 text. */
  | 'invalid_encoding'
  /** The file cannot be read (missing, no permission, too large). */
  | 'file_unreadable'
  /** The path names a directory, FIFO, device or socket, not a regular file; it was not opened. */
  | 'not_a_regular_file'
  /** JSON nested deeper than 64 levels of arrays and objects (no export needs that; a parser would overflow). */
  | 'json_too_deep'
  /** A value is longer than its field allows (docs/importing.md, "Limits"). */
  | 'too_long'
  /** The file name's extension names no format we read. */
  | 'unsupported_format';

export interface ImportErrorInit {
  code: ImportErrorCode;
  file: string;
  /** 1-based physical line where the record or field starts. */
  line?: number | undefined;
  /** 1-based character column of the field (or of the header cell). */
  column?: number | undefined;
  /** Header name, JSON field name or path (`imsOrg.claimedDomains[2]`). */
  field?: string | undefined;
  /** What was expected, in words: `an email address`, `true or false`. */
  expected?: string | undefined;
  /** The offending text, quoted into the message only. */
  got?: string | undefined;
  /** The offending JSON value (not a string), shown as JSON in the message only. */
  gotJson?: unknown;
  /** Free text used instead of `expected ..., got ...`, or appended after it in parentheses. */
  detail?: string | undefined;
  cause?: unknown;
}

const MAX_SHOWN_CHARS = 80;

export class ImportError extends Error {
  override name = 'ImportError';
  readonly code: ImportErrorCode;
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly field: string | undefined;
  readonly expected: string | undefined;

  constructor(init: ImportErrorInit) {
    super(formatImportError(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.file = init.file;
    this.line = init.line;
    this.column = init.column;
    this.field = init.field;
    this.expected = init.expected;
  }
}

/** `users.csv:14:22: email: expected an email address, got "bob@"`. */
function formatImportError(init: ImportErrorInit): string {
  let where = init.file;
  if (init.line !== undefined) {
    where += `:${init.line}`;
    if (init.column !== undefined) where += `:${init.column}`;
  }
  const field = init.field === undefined ? '' : `${init.field}: `;
  let what: string;
  if (init.expected !== undefined) {
    what = `expected ${init.expected}`;
    if (init.got !== undefined) what += `, got ${showValue(init.got)}`;
    else if ('gotJson' in init) what += `, got ${clip(JSON.stringify(init.gotJson) ?? 'undefined')}`;
    if (init.detail !== undefined) what += ` (${init.detail})`;
  } else {
    what = init.detail ?? init.code;
  }
  return `${where}: ${field}${what}`;
}

function showValue(value: string): string {
  return JSON.stringify(clip(value));
}

function clip(value: string): string {
  return value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value;
}

/** Several import problems at once; `errors` is in file order. */
export class ImportErrors extends Error {
  override name = 'ImportErrors';
  readonly code = 'import_failed';
  readonly errors: readonly ImportError[];
  /** True when the importer stopped at its limit: the file may hold more problems. */
  readonly truncated: boolean;

  constructor(errors: readonly ImportError[], truncated: boolean) {
    const files = [...new Set(errors.map((e) => e.file))].join(', ');
    const head =
      errors.length === 1
        ? `1 problem in ${files}`
        : `${errors.length}${truncated ? '+' : ''} problems in ${files}${truncated ? ` (stopped after ${errors.length})` : ''}`;
    super(`${head}:\n${errors.map((e) => `  ${e.message}`).join('\n')}`);
    this.errors = errors;
    this.truncated = truncated;
  }
}

export const DEFAULT_MAX_ERRORS = 50;

/** Gathers problems while an importer keeps going; throws once the limit is reached or on `throwIfAny`. */
export class ImportErrorCollector {
  readonly errors: ImportError[] = [];
  readonly #limit: number;

  constructor(limit: number = DEFAULT_MAX_ERRORS) {
    this.#limit = Math.max(1, limit);
  }

  add(error: ImportError | ImportErrorInit): void {
    this.errors.push(error instanceof ImportError ? error : new ImportError(error));
    if (this.errors.length >= this.#limit) throw new ImportErrors(this.errors, true);
  }

  get count(): number {
    return this.errors.length;
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw new ImportErrors(this.errors, false);
  }
}
