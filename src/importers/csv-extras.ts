import { setAttribute } from './cell-values.ts';
import type { ExtraColumn } from './csv-header.ts';
import type { CsvRow, CsvTable } from './csv-reader.ts';
import { FIELD_LIMITS, tooLongProblem } from './field-limits.ts';
import type { ImportErrorCollector } from './import-error.ts';

/**
 * The cells of the columns an importer has no field for, kept verbatim under their header in `attributes`.
 * Undefined when a cell is longer than FIELD_LIMITS.attributeValue (reported as `too_long` at the cell).
 */
export function readExtraColumns(table: CsvTable, row: CsvRow, extras: readonly ExtraColumn[], file: string, errors: ImportErrorCollector): Record<string, string> | undefined {
  const attributes: Record<string, string> = {};
  let ok = true;
  for (const extra of extras) {
    const value = row.values[extra.index] as string;
    if (value.length > FIELD_LIMITS.attributeValue) {
      ok = false;
      errors.add({ code: 'too_long', file, ...table.locate(row, extra.index), field: extra.name, ...tooLongProblem(FIELD_LIMITS.attributeValue, value) });
      continue;
    }
    setAttribute(attributes, extra.name, value);
  }
  return ok ? attributes : undefined;
}
