/**
 * Product users as JSON lines: one object per line, keys as the CSV columns (snake_case or camelCase, see
 * ./product-users.ts). JSON types are accepted where they say the same thing as the CSV text: booleans as JSON
 * booleans (or the CSV words), `id` as a number, `null` for an empty value, and `access` as the CSV string, an array
 * of such entries, or an array of `{ workspace, partition, role }`. Other keys go to `attributes` as text
 * (non-strings as their JSON). Lines are split on LF (a CR before it is dropped); blank lines are skipped.
 * `JSON.parse` reads each line; a line that fails is parsed again by ./json-locator.ts for its line:column.
 */
import type { ProductUser } from '../core/model.ts';
import { jsonlLines, parseJsonlLine, type JsonlLine } from './jsonl-lines.ts';
import { normaliseFieldName, setAttribute } from './cell-values.ts';
import { attributeProblem } from './field-limits.ts';
import { DEFAULT_MAX_ERRORS, ImportErrorCollector } from './import-error.ts';
import { parseLocatedJson } from './json-locator.ts';
import { buildProductUser, OPTIONAL_PRODUCT_USER_FIELDS, PRODUCT_USER_FIELDS } from './product-user-record.ts';

const FIELD_BY_KEY: ReadonlyMap<string, number> = new Map(PRODUCT_USER_FIELDS.map((name, i) => [normaliseFieldName(name), i]));
const IDENTITY: readonly number[] = PRODUCT_USER_FIELDS.map((_, i) => i);
const BOOLEAN_FIELDS = new Set(['email_verified', 'api_only', 'sso', 'locked']);

interface LineContext {
  file: string;
  line: number;
  text: string;
  /** Offset of `text` within its physical line (a BOM on line 1). */
  shift: number;
  errors: ImportErrorCollector;
  offsets: Map<string, number> | undefined;
}

export function parseProductUsersJsonl(text: string, file: string, options: { maxErrors?: number } = {}): ProductUser[] {
  const errors = new ImportErrorCollector(options.maxErrors ?? DEFAULT_MAX_ERRORS);
  const users = [...productUsersFromJsonl(jsonlLines(text), file, errors)];
  errors.throwIfAny();
  return users;
}

/**
 * The users of `lines` one by one; problems go to `errors` (the caller throws them once the lines are read), and
 * the file being empty is one of them.
 */
export function* productUsersFromJsonl(lines: Iterable<JsonlLine>, file: string, errors: ImportErrorCollector): Generator<ProductUser> {
  const seen = new Map<string, number>();
  let sawContent = false;
  for (const l of lines) {
    const ctx: LineContext = { file, line: l.line, text: l.text, shift: l.shift, errors, offsets: undefined };
    sawContent = true;
    const user = readLine(ctx);
    if (user === undefined) continue;
    const first = seen.get(user.id);
    if (first !== undefined) {
      errors.add({ code: 'duplicate_id', file, ...locate(ctx, 'id'), field: 'id', expected: 'a unique id', got: user.id, detail: `also on line ${first}` });
      continue;
    }
    seen.set(user.id, l.line);
    yield user;
  }
  if (!sawContent) errors.add({ code: 'empty_file', file, detail: 'the file is empty; expected one JSON object per line' });
}

/** Field index of a JSON key, memoised: a million lines repeat the same dozen keys. */
const keyCache = new Map<string, number>();
function fieldOfKey(key: string): number | undefined {
  let field = keyCache.get(key);
  if (field === undefined) {
    field = FIELD_BY_KEY.get(normaliseFieldName(key)) ?? -1;
    if (keyCache.size < 1024) keyCache.set(key, field);
  }
  return field < 0 ? undefined : field;
}

function readLine(ctx: LineContext): ProductUser | undefined {
  const { errors, file } = ctx;
  const parsed = parseJsonlLine(ctx, file, errors);
  if (!parsed) return undefined;
  const object = parsed.value;
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    errors.add({ code: 'invalid_field', file, ...locate(ctx, ''), expected: 'one JSON object per line' });
    return undefined;
  }
  const values: string[] = PRODUCT_USER_FIELDS.map(() => '');
  const present: boolean[] = PRODUCT_USER_FIELDS.map(() => false);
  const keys: string[] = PRODUCT_USER_FIELDS.map(() => '');
  const attributes: Record<string, string> = {};
  let ok = true;
  for (const [key, value] of Object.entries(object)) {
    const field = fieldOfKey(key);
    if (field === undefined) {
      const text = typeof value === 'string' ? value : value === null ? '' : JSON.stringify(value);
      if (!checkAttribute(ctx, key, text)) ok = false;
      else setAttribute(attributes, key, text);
      continue;
    }
    const name = PRODUCT_USER_FIELDS[field] as string;
    if (present[field]) {
      ok = false;
      errors.add({ code: 'invalid_field', file, ...locate(ctx, key), field: key, detail: `${name} is given twice (as ${keys[field]} and ${key})` });
      continue;
    }
    present[field] = true;
    keys[field] = key;
    const text = toCellText(name, value);
    if (text === undefined) {
      ok = false;
      errors.add({ code: 'invalid_field', file, ...locate(ctx, key), field: key, expected: expectedType(name), gotJson: value });
      continue;
    }
    values[field] = text;
  }
  PRODUCT_USER_FIELDS.forEach((name, field) => {
    if (!present[field] && !OPTIONAL_PRODUCT_USER_FIELDS.has(name)) {
      ok = false;
      errors.add({ code: 'missing_field', file, ...locate(ctx, ''), field: name, expected: `a field named ${name}` });
    }
  });
  if (!ok) return undefined;
  return buildProductUser(values, IDENTITY, attributes, (field, expected, got, code, detail) => {
    const key = keys[field] as string;
    errors.add({ code: code ?? 'invalid_field', file, ...locate(ctx, key), field: key, expected, got, detail });
  });
}

/** An extra key and its value (as text) within FIELD_LIMITS; reports `too_long` and returns false otherwise. */
function checkAttribute(ctx: LineContext, key: string, text: string): boolean {
  const problem = attributeProblem(key, text);
  if (problem === undefined) return true;
  const { onKey, ...words } = problem;
  ctx.errors.add({ code: 'too_long', file: ctx.file, ...locate(ctx, onKey ? '' : key), field: onKey ? undefined : key, ...words });
  return false;
}

/** The CSV spelling of a JSON value, or undefined when its type is wrong for the field. */
function toCellText(name: string, value: unknown): string | undefined {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (BOOLEAN_FIELDS.has(name)) return typeof value === 'boolean' ? String(value) : undefined;
  if (name === 'id') return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;
  if (name === 'access' && Array.isArray(value)) {
    const entries: string[] = [];
    for (const entry of value) {
      if (typeof entry === 'string') entries.push(entry);
      else if (isGrantObject(entry)) entries.push(`${entry.workspace}/${entry.partition}:${entry.role}`);
      else return undefined;
    }
    return entries.join(';');
  }
  return undefined;
}

function isGrantObject(entry: unknown): entry is { workspace: string; partition: string; role: string } {
  if (typeof entry !== 'object' || entry === null) return false;
  const { workspace, partition, role } = entry as Record<string, unknown>;
  return typeof workspace === 'string' && typeof partition === 'string' && typeof role === 'string';
}

function expectedType(name: string): string {
  if (BOOLEAN_FIELDS.has(name)) return 'true or false';
  if (name === 'id') return 'a string or an integer';
  if (name === 'access') return 'a string or an array of "workspace/partition:role" or {workspace, partition, role}';
  return 'a string or null';
}

/** Line and column of the value of `key` (or of the object for ''); the line is parsed again only on errors. */
function locate(ctx: LineContext, key: string): { line: number; column: number } {
  if (ctx.offsets === undefined) {
    try {
      ctx.offsets = parseLocatedJson(ctx.text).offsets;
    } catch {
      ctx.offsets = new Map();
    }
  }
  return { line: ctx.line, column: ctx.shift + (ctx.offsets.get(key) ?? 0) + 1 };
}
