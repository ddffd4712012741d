/**
 * Product users from the product's export: CSV (`id,login,email,email_verified,first_name,last_name,status,
 * api_only,sso,last_login,access` required, `expires_at` and `locked` optional) or JSON lines (one object per
 * line, the same names in snake_case or camelCase). Header and key names match whatever their letter case,
 * spaces, `_` or `-`; columns with an empty header are ignored; any other column is kept verbatim in
 * `attributes` under its header as written. Value rules: ./cell-values.ts. Ids must be unique in a file.
 * An empty `locked` cell means false; the other booleans must be filled in.
 */
import type { ProductUser } from '../core/model.ts';
import { readCsv, type CsvRow, type CsvTable } from './csv-reader.ts';
import { readCsvChunks } from './csv-stream.ts';
import { jsonlLinesOfChunks } from './jsonl-lines.ts';
import { mapCsvHeader } from './csv-header.ts';
import { ImportError, ImportErrorCollector, DEFAULT_MAX_ERRORS } from './import-error.ts';
import { readExtraColumns } from './csv-extras.ts';
import { buildProductUser, OPTIONAL_PRODUCT_USER_FIELDS, PRODUCT_USER_FIELDS, type ProductUserField, type ReportInvalid } from './product-user-record.ts';
import { parseProductUsersJsonl, productUsersFromJsonl } from './product-users-jsonl.ts';
import { readTextChunks, readTextFile } from './text-file.ts';

export { parseProductUsersJsonl };

export interface ImportOptions {
  /** Stop and throw after this many problems (default 50). */
  maxErrors?: number;
}

export function parseProductUsersCsv(text: string, file: string, options: ImportOptions = {}): ProductUser[] {
  const errors = new ImportErrorCollector(options.maxErrors ?? DEFAULT_MAX_ERRORS);
  const users = [...productUsersFromCsv(readCsv(text, file, errors), file, errors)];
  errors.throwIfAny();
  return users;
}

/** The users of a CSV table one by one; problems go to `errors`, which the caller throws once the table is read. */
export function* productUsersFromCsv(table: CsvTable, file: string, errors: ImportErrorCollector): Generator<ProductUser> {
  if (table.header.length === 0) {
    errors.add({ code: 'empty_file', file, detail: `the file is empty; expected a header line: ${PRODUCT_USER_FIELDS.join(',')}` });
  }
  const { columns, extras } = mapCsvHeader(table.header, PRODUCT_USER_FIELDS, (name) => !OPTIONAL_PRODUCT_USER_FIELDS.has(name as ProductUserField), file, errors);
  errors.throwIfAny();

  const seen = new Map<string, number>();
  // One report function for all rows (not a closure per row): it reads the row being built.
  let current: CsvRow | undefined;
  const report: ReportInvalid = (field, expected, got, code, detail) => {
    const at = table.locate(current as CsvRow, columns[field] as number);
    errors.add({ code: code ?? 'invalid_value', file, ...at, field: PRODUCT_USER_FIELDS[field], expected, got, detail });
  };
  for (const row of table.rows) {
    current = row;
    const values = row.values;
    const attributes = readExtraColumns(table, row, extras, file, errors);
    const user = buildProductUser(values, columns, attributes ?? {}, report);
    if (user === undefined || attributes === undefined) continue;
    const first = seen.get(user.id);
    if (first !== undefined) {
      const at = table.locate(row, columns[0] as number);
      errors.add({ code: 'duplicate_id', file, ...at, field: 'id', expected: 'a unique id', got: user.id, detail: `also on line ${first}` });
      continue;
    }
    seen.set(user.id, row.line);
    yield user;
  }
}

/** Reads product users from a `.csv`, `.jsonl` or `.ndjson` file. */
export function readProductUsers(path: string, options: ImportOptions = {}): ProductUser[] {
  const extension = usersFileExtension(path);
  const text = readTextFile(path);
  return extension === 'csv' ? parseProductUsersCsv(text, path, options) : parseProductUsersJsonl(text, path, options);
}

/**
 * The users of a `.csv`, `.jsonl` or `.ndjson` file one by one, the file read in chunks (never whole). Problems are
 * thrown once the file has been read to its end (or at the 50th), so a consumer must not act on the users before
 * the iteration has finished.
 */
export function* streamProductUsers(path: string, options: ImportOptions = {}): Generator<ProductUser, void, undefined> {
  const extension = usersFileExtension(path);
  const errors = new ImportErrorCollector(options.maxErrors ?? DEFAULT_MAX_ERRORS);
  const chunks = readTextChunks(path);
  if (extension === 'csv') yield* productUsersFromCsv(readCsvChunks(chunks, path, errors), path, errors);
  else yield* productUsersFromJsonl(jsonlLinesOfChunks(chunks), path, errors);
  errors.throwIfAny();
}

function usersFileExtension(path: string): 'csv' | 'jsonl' | 'ndjson' {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (extension !== 'csv' && extension !== 'jsonl' && extension !== 'ndjson') {
    throw new ImportError({ code: 'unsupported_format', file: path, expected: 'a file ending in .csv, .jsonl or .ndjson' });
  }
  return extension;
}
