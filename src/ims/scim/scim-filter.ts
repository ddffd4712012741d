/**
 * SCIM filters (RFC 7644 §3.4.2.2): a tokenizer and a recursive-descent parser for the grammar of Figure 1, and
 * the translation of the parse tree into the directory's `Filter` tree.
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *   valuePath = attrPath "[" valFilter "]"
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *
 * Also read, as Entra ID sends it: `valuePath "." subAttr SP compareOp SP compValue` (see parseValuePathSubAttr).
 *
 * Precedence, highest first: grouping `()` and `[]`, `not`, `and`, `or` (§3.4.2.2: "and" binds tighter than
 * "or"). Attribute names and operators are case-insensitive; string values are JSON strings.
 * Every syntax problem is a 400 `invalidFilter` that says where it is.
 */
import type { Filter } from '../directory/ims-directory.ts';
import { ScimError, type ScimType } from './scim-error.ts';

export type ScimCompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';
export type ScimValue = string | number | boolean | null;

/** An attribute reference: `[schema ":"] attr ["." subAttr]`, names as written. */
export interface ScimAttrPath {
  schema?: string;
  attr: string;
  subAttr?: string;
}

export type ScimFilterNode =
  | { type: 'compare'; path: ScimAttrPath; op: ScimCompareOp; value: ScimValue }
  | { type: 'present'; path: ScimAttrPath }
  | { type: 'and' | 'or'; left: ScimFilterNode; right: ScimFilterNode }
  | { type: 'not'; filter: ScimFilterNode }
  | { type: 'valuePath'; path: ScimAttrPath; filter: ScimFilterNode };

type Token =
  | { kind: '(' | ')' | '[' | ']'; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'word'; text: string; at: number };

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);
const MAX_LENGTH = 8192;
const MAX_DEPTH = 64;
const NAME = /^[A-Za-z$][\w$-]*$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function tokenize(text: string, scimType: ScimType = 'invalidFilter'): Token[] {
  if (text.length > MAX_LENGTH) throw new ScimError(400, scimType, `the expression is longer than ${MAX_LENGTH} characters`);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c, at: i });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new ScimError(400, scimType, `unterminated string starting at character ${i + 1}`);
      let value: unknown;
      try {
        value = JSON.parse(text.slice(i, j + 1));
      } catch {
        throw new ScimError(400, scimType, `invalid escape in the string starting at character ${i + 1}`);
      }
      tokens.push({ kind: 'string', value: value as string, at: i });
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !' \t\n\r()[]"'.includes(text[j] as string)) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j), at: i });
      i = j;
    }
  }
  return tokens;
}

/** Splits `urn:...:User:name.givenName` or `name.givenName` into its parts; undefined when malformed. */
export function splitAttrPath(text: string): ScimAttrPath | undefined {
  let schema: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const colon = text.lastIndexOf(':');
    schema = text.slice(0, colon);
    rest = text.slice(colon + 1);
    if (!/^urn:[a-z0-9][a-z0-9-]*:\S+$/i.test(schema)) return undefined;
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => NAME.test(p))) return undefined;
  const path: ScimAttrPath = { attr: parts[0] as string };
  if (schema !== undefined) path.schema = schema;
  if (parts[1] !== undefined) path.subAttr = parts[1];
  return path;
}

/** A cursor over the tokens; `scimType` is what a syntax error reports (`invalidFilter`, or `invalidPath` in PATCH). */
export class TokenStream {
  readonly tokens: Token[];
  readonly scimType: ScimType;
  pos = 0;
  depth = 0;
  constructor(tokens: Token[], scimType: ScimType) {
    this.tokens = tokens;
    this.scimType = scimType;
  }
  peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  next(): Token | undefined {
    return this.tokens[this.pos++];
  }
  peekWord(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.text.toLowerCase() === word;
  }
  expect(kind: '(' | ')' | '[' | ']'): void {
    const t = this.next();
    if (t?.kind !== kind) throw this.fail(`expected "${kind}"`, t);
  }
  fail(message: string, token: Token | undefined = this.peek()): ScimError {
    const where = token === undefined ? 'at the end' : `at character ${token.at + 1}`;
    return new ScimError(400, this.scimType, `${message} ${where}`);
  }
}

/** Parses a whole filter expression. */
export function parseScimFilter(text: string): ScimFilterNode {
  const stream = new TokenStream(tokenize(text), 'invalidFilter');
  if (stream.tokens.length === 0) throw new ScimError(400, 'invalidFilter', 'the filter is empty');
  const node = parseOr(stream, false);
  if (stream.peek() !== undefined) throw stream.fail('unexpected text');
  return node;
}

/** `inValuePath`: inside `[...]`, where another `[` may not open (valFilter has no valuePath). */
export function parseOr(s: TokenStream, inValuePath: boolean): ScimFilterNode {
  if (++s.depth > MAX_DEPTH) throw s.fail('the filter nests too deeply');
  let left = parseAnd(s, inValuePath);
  while (s.peekWord('or')) {
    s.next();
    left = { type: 'or', left, right: parseAnd(s, inValuePath) };
  }
  s.depth--;
  return left;
}

function parseAnd(s: TokenStream, inValuePath: boolean): ScimFilterNode {
  let left = parseNot(s, inValuePath);
  while (s.peekWord('and')) {
    s.next();
    left = { type: 'and', left, right: parseNot(s, inValuePath) };
  }
  return left;
}

function parseNot(s: TokenStream, inValuePath: boolean): ScimFilterNode {
  if (!s.peekWord('not')) return parseAtom(s, inValuePath);
  s.next();
  s.expect('(');
  const filter = parseOr(s, inValuePath);
  s.expect(')');
  return { type: 'not', filter };
}

function parseAtom(s: TokenStream, inValuePath: boolean): ScimFilterNode {
  const t = s.next();
  if (t === undefined) throw s.fail('expected an attribute or "("', t);
  if (t.kind === '(') {
    const inner = parseOr(s, inValuePath);
    s.expect(')');
    return inner;
  }
  if (t.kind !== 'word') throw s.fail('expected an attribute', t);
  const path = splitAttrPath(t.text);
  if (path === undefined) throw s.fail(`"${t.text}" is not an attribute path`, t);
  if (s.peek()?.kind === '[') {
    if (inValuePath || path.subAttr !== undefined) throw s.fail('a value filter cannot appear here');
    s.next();
    const filter = parseOr(s, true);
    s.expect(']');
    const sub = s.peek();
    if (sub?.kind === 'word' && sub.text.startsWith('.')) return parseValuePathSubAttr(s, path, filter);
    return { type: 'valuePath', path, filter };
  }
  const opToken = s.next();
  const op = opToken?.kind === 'word' ? opToken.text.toLowerCase() : '';
  if (op === 'pr') return { type: 'present', path };
  if (!COMPARE_OPS.has(op)) throw s.fail('expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr)', opToken);
  return { type: 'compare', path, op: op as ScimCompareOp, value: parseValue(s) };
}

/**
 * `emails[type eq "work"].value eq "x"`: Entra ID filters on its matching attribute this way. RFC 7644's filter
 * grammar has no sub-attribute after a value filter (only PATCH paths do), but the meaning is unambiguous: the same
 * as `emails[type eq "work" and value eq "x"]`, which is what it is parsed as.
 */
function parseValuePathSubAttr(s: TokenStream, path: ScimAttrPath, filter: ScimFilterNode): ScimFilterNode {
  const t = s.next() as { kind: 'word'; text: string; at: number };
  const subAttr = t.text.slice(1);
  if (!NAME.test(subAttr)) throw s.fail(`"${t.text}" is not a sub-attribute`, t);
  const opToken = s.next();
  const op = opToken?.kind === 'word' ? opToken.text.toLowerCase() : '';
  let right: ScimFilterNode;
  if (op === 'pr') right = { type: 'present', path: { attr: subAttr } };
  else if (COMPARE_OPS.has(op)) right = { type: 'compare', path: { attr: subAttr }, op: op as ScimCompareOp, value: parseValue(s) };
  else throw s.fail('expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr)', opToken);
  return { type: 'valuePath', path, filter: { type: 'and', left: filter, right } };
}

function parseValue(s: TokenStream): ScimValue {
  const t = s.next();
  if (t?.kind === 'string') return t.value;
  if (t?.kind === 'word') {
    const lower = t.text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (NUMBER.test(t.text)) return Number(t.text);
  }
  throw s.fail('expected a value (a "string", true, false, null or a number)', t);
}

// ---- translation to the directory's Filter ----

/**
 * Resolves one comparison to a directory filter. `path` is the canonical key: lower-case `attr[.sub]` for the
 * resource's core schema, `<schema urn>:attr` (lower-case) for an extension. Undefined: not filterable.
 */
export type AttributeResolver<A extends string> = (path: string, op: ScimCompareOp | 'pr', value: ScimValue) => Filter<A> | undefined;

export function canonicalPath(path: ScimAttrPath, coreSchema: string): string {
  const name = path.subAttr === undefined ? path.attr : `${path.attr}.${path.subAttr}`;
  if (path.schema === undefined || path.schema.toLowerCase() === coreSchema.toLowerCase()) return name.toLowerCase();
  return `${path.schema}:${name}`.toLowerCase();
}

export function toDirectoryFilter<A extends string>(node: ScimFilterNode, coreSchema: string, resolve: AttributeResolver<A>): Filter<A> {
  switch (node.type) {
    case 'and':
    case 'or': {
      const parts = [node.left, node.right].map((n) => toDirectoryFilter(n, coreSchema, resolve));
      // Flatten `a and b and c` into one n-ary node.
      const filters = parts.flatMap((p) => (p.op === node.type ? (p as { filters: Filter<A>[] }).filters : [p]));
      return { op: node.type, filters };
    }
    case 'not':
      return { op: 'not', filter: toDirectoryFilter(node.filter, coreSchema, resolve) };
    case 'valuePath': {
      const outer = canonicalPath(node.path, coreSchema);
      return toDirectoryFilter(node.filter, coreSchema, (sub, op, value) => resolve(`${outer}.${sub}`, op, value));
    }
    case 'present':
    case 'compare': {
      const key = canonicalPath(node.path, coreSchema);
      const op = node.type === 'present' ? 'pr' : node.op;
      const value = node.type === 'present' ? null : node.value;
      const filter = resolve(key, op, value);
      if (filter === undefined) {
        throw new ScimError(400, 'invalidFilter', `filtering with "${op}" on ${key} is not supported`);
      }
      return filter;
    }
  }
}

/** Parses `text` and translates it in one go. */
export function compileScimFilter<A extends string>(text: string, coreSchema: string, resolve: AttributeResolver<A>): Filter<A> {
  return toDirectoryFilter(parseScimFilter(text), coreSchema, resolve);
}
