/**
 * Canonical JSON: object keys sorted by UTF-16 code units (the order of RFC 8785 JCS), no whitespace, numbers and
 * strings as `JSON.stringify` writes them. Same data gives the same text whatever the key order it was built in,
 * so a digest over it only changes when the data does. Values JSON cannot hold behave as in `JSON.stringify`
 * (`undefined` properties are dropped, `undefined` array items become `null`).
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null';
}

function write(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') {
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
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = write(record[key]);
    if (item === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + item;
    first = false;
  }
  return out + '}';
}
