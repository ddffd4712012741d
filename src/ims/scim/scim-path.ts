/**
 * PATCH paths (RFC 7644 §3.5.2, Figure 1): `PATH = attrPath / valuePath [subAttr]`, e.g. `name.givenName`,
 * `members[value eq "2819c223"]`, `emails[type eq "work"].value`, `urn:...:User:emailVerified`; and the in-memory
 * matching of a value filter against the elements of a multi-valued attribute. Syntax errors are 400 `invalidPath`.
 */
import { ScimError } from './scim-error.ts';
import { parseOr, splitAttrPath, tokenize, TokenStream, type ScimAttrPath, type ScimFilterNode, type ScimValue } from './scim-filter.ts';

export interface ScimPatchPath {
  attr: ScimAttrPath;
  /** The value filter of a valuePath: which elements of the multi-valued attribute are targeted. */
  filter?: ScimFilterNode;
  /** Sub-attribute after the value filter (`emails[type eq "work"].value`). */
  subAttr?: string;
}

export function parseScimPath(text: string): ScimPatchPath {
  const s = new TokenStream(tokenize(text, 'invalidPath'), 'invalidPath');
  const first = s.next();
  if (first?.kind !== 'word') throw new ScimError(400, 'invalidPath', `"${text}" is not an attribute path`);
  const attr = splitAttrPath(first.text);
  if (attr === undefined) throw new ScimError(400, 'invalidPath', `"${first.text}" is not an attribute path`);
  const result: ScimPatchPath = { attr };
  if (s.peek()?.kind === '[') {
    if (attr.subAttr !== undefined) throw s.fail('a value filter must follow a multi-valued attribute');
    s.next();
    result.filter = parseOr(s, true);
    s.expect(']');
    const after = s.peek();
    if (after?.kind === 'word') {
      if (!/^\.[A-Za-z$][\w$-]*$/.test(after.text)) throw s.fail('expected ".subAttribute" after "]"');
      result.subAttr = after.text.slice(1);
      s.next();
    }
  }
  if (s.peek() !== undefined) throw s.fail('unexpected text in the path');
  return result;
}

/** Whether one element of a multi-valued attribute (`{ value, type, primary }`) passes a value filter. */
export function matchesValueFilter(node: ScimFilterNode, element: Record<string, unknown>): boolean {
  switch (node.type) {
    case 'and':
      return matchesValueFilter(node.left, element) && matchesValueFilter(node.right, element);
    case 'or':
      return matchesValueFilter(node.left, element) || matchesValueFilter(node.right, element);
    case 'not':
      return !matchesValueFilter(node.filter, element);
    case 'valuePath':
      return false;
    case 'present': {
      const v = readKey(element, node.path.attr);
      return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
    }
    case 'compare':
      return compare(readKey(element, node.path.attr), node.op, node.value);
  }
}

/** A property by case-insensitive name (§3.4.2.2: attribute names are case-insensitive). */
export function readKey(object: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

function compare(actual: unknown, op: string, expected: ScimValue): boolean {
  if (op === 'eq' && expected === null) return actual === undefined || actual === null;
  if (op === 'ne' && expected === null) return actual !== undefined && actual !== null;
  if (typeof expected === 'boolean' || typeof actual === 'boolean') {
    const same = actual === expected;
    return op === 'eq' ? same : op === 'ne' ? !same : false;
  }
  if (typeof actual !== 'string' && typeof actual !== 'number') return op === 'ne';
  // String comparisons are case-insensitive: the attributes matched here (value, type, display) are caseExact false,
  // or ids in one case.
  const a = typeof actual === 'string' ? actual.toLowerCase() : actual;
  const e = typeof expected === 'string' ? expected.toLowerCase() : expected;
  switch (op) {
    case 'eq': return a === e;
    case 'ne': return a !== e;
    case 'co': return String(a).includes(String(e));
    case 'sw': return String(a).startsWith(String(e));
    case 'ew': return String(a).endsWith(String(e));
    case 'gt': return a > (e as typeof a);
    case 'ge': return a >= (e as typeof a);
    case 'lt': return a < (e as typeof a);
    case 'le': return a <= (e as typeof a);
    default: return false;
  }
}
