/**
 * Canonical JSON: object keys sorted by UTF-16 code units (the order of RFC 8785 JCS), no whitespace, numbers and
 * strings as `JSON.stringify` writes them. Same data gives the same text whatever the key order it was built in,
 * so a digest over it only changes when the data does. Values JSON cannot hold behave as in `JSON.stringify`
 * (`undefined` properties are dropped, `undefined` array items become `null`).
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

// A snapshot holds a million objects over a few dozen distinct keys: escaping each key once saves a large share
// of the work. Bounded so arbitrary attribute names cannot grow it without limit.
const escapedKeys = new Map<string, string>();
const ESCAPED_KEYS_MAX = 10_000;

function write(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value);
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return write((value as { toJSON(): unknown }).toJSON());
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i]) ?? 'null';
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let out = '{';
  for (const key of keys) {
    const item = write(record[key]);
    if (item === undefined) continue;
    out += (out.length === 1 ? '' : ',') + escapeKey(key) + item;
  }
  return out + '}';
}

function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) return keys.sort();
  }
  return keys;
}

function escapeKey(key: string): string {
  let escaped = escapedKeys.get(key);
  if (escaped === undefined) {
    escaped = JSON.stringify(key) + ':';
    if (escapedKeys.size < ESCAPED_KEYS_MAX) escapedKeys.set(key, escaped);
  }
  return escaped;
}
