/**
 * Matching a CSV header against the columns an importer knows. Names match whatever their letter case, spaces,
 * `_` or `-` (./cell-values.ts `normaliseFieldName`); empty header cells are ignored (spreadsheets leave trailing
 * empty columns); every other unknown column is an extra, kept by the importer under its name as written. A
 * header cell longer than FIELD_LIMITS.attributeName is `too_long`.
 */
import { normaliseFieldName } from './cell-values.ts';
import type { CsvCell } from './csv-reader.ts';
import { FIELD_LIMITS, tooLongProblem } from './field-limits.ts';
import type { ImportErrorCollector } from './import-error.ts';

export interface ExtraColumn {
  index: number;
  name: string;
}

export interface HeaderMap {
  /** `columns[k]` is the cell index of known column `k`, or -1 when absent. */
  columns: number[];
  extras: ExtraColumn[];
}

export function mapCsvHeader(
  header: readonly CsvCell[],
  known: readonly string[],
  isRequired: (name: string) => boolean,
  file: string,
  errors: ImportErrorCollector,
): HeaderMap {
  const byKey = new Map(known.map((name, k) => [normaliseFieldName(name), k]));
  const columns = known.map(() => -1);
  const extras: ExtraColumn[] = [];
  const seen = new Map<string, CsvCell>();
  header.forEach((cell, index) => {
    const name = cell.value.trim();
    if (name === '') return;
    if (name.length > FIELD_LIMITS.attributeName) {
      errors.add({ code: 'too_long', file, line: cell.line, column: cell.column, ...tooLongProblem(FIELD_LIMITS.attributeName, name), detail: `${name.length} characters in a column name` });
      return;
    }
    const key = normaliseFieldName(name);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      errors.add({
        code: 'duplicate_column',
        file,
        line: cell.line,
        column: cell.column,
        field: name,
        detail: `this column is already named at column ${earlier.column}`,
      });
      return;
    }
    seen.set(key, cell);
    const k = byKey.get(key);
    if (k === undefined) extras.push({ index, name });
    else columns[k] = index;
  });
  if (header.length > 0) {
    known.forEach((name, k) => {
      if (columns[k] === -1 && isRequired(name)) {
        errors.add({ code: 'missing_column', file, line: header[0]?.line, column: 1, field: name, expected: `a column named "${name}" in the header` });
      }
    });
  }
  return { columns, extras };
}
