/**
 * PATCH (RFC 7644 §3.5.2) on a resource's JSON form: reads the PatchOp message and applies `add`, `remove` and
 * `replace`, with and without `path`, to a working copy. The endpoint then writes the result as it would a PUT,
 * so the same validation and read-only rules hold for both.
 */
import { ScimError } from './scim-error.ts';
import { splitAttrPath, type ScimAttrPath } from './scim-filter.ts';
import { matchesValueFilter, parseScimPath, readKey, type ScimPatchPath } from './scim-path.ts';
import { PATCH_OP_SCHEMA } from './scim-schemas.ts';

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path: ScimPatchPath | undefined;
  value: unknown;
}

const MAX_OPERATIONS = 1000;

export function readPatchRequest(body: Record<string, unknown>): PatchOperation[] {
  const schemas = readKey(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_OP_SCHEMA)) throw new ScimError(400, 'invalidSyntax', `schemas must be ["${PATCH_OP_SCHEMA}"]`);
  const operations = readKey(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) throw new ScimError(400, 'invalidSyntax', 'Operations must be a non-empty array');
  if (operations.length > MAX_OPERATIONS) throw new ScimError(400, 'tooMany', `at most ${MAX_OPERATIONS} operations per request`);
  return operations.map((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ScimError(400, 'invalidSyntax', `Operations[${i}] must be an object`);
    const operation = raw as Record<string, unknown>;
    const op = String(readKey(operation, 'op') ?? '').toLowerCase();
    if (op !== 'add' && op !== 'remove' && op !== 'replace') throw new ScimError(400, 'invalidSyntax', `Operations[${i}].op must be add, remove or replace`);
    const rawPath = readKey(operation, 'path');
    if (rawPath !== undefined && typeof rawPath !== 'string') throw new ScimError(400, 'invalidPath', `Operations[${i}].path must be a string`);
    const path = rawPath === undefined || rawPath.trim() === '' ? undefined : parseScimPath(rawPath);
    const value = readKey(operation, 'value');
    if (op === 'remove' && path === undefined) throw new ScimError(400, 'noTarget', `Operations[${i}]: remove needs a path`);
    if (op !== 'remove' && value === undefined) throw new ScimError(400, 'invalidValue', `Operations[${i}]: ${op} needs a value`);
    return { op, path, value };
  });
}

type Json = Record<string, unknown>;

export function applyPatch(doc: Json, operations: readonly PatchOperation[], coreSchema: string): void {
  for (const operation of operations) {
    if (operation.path === undefined) applyWithoutPath(doc, operation, coreSchema);
    else applyAtPath(doc, operation.op, operation.path, operation.value, coreSchema);
  }
}

/** §3.5.2.1/§3.5.2.3 without path: `value` is an object of attributes, each applied as if it were the path. */
function applyWithoutPath(doc: Json, operation: PatchOperation, coreSchema: string): void {
  const { value } = operation;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ScimError(400, 'invalidValue', 'without a path, value must be an object of attributes');
  for (const [key, item] of Object.entries(value as Json)) {
    if (isSchemaUrn(key) && isObject(item)) {
      for (const [sub, subValue] of Object.entries(item)) applyAtPath(doc, operation.op, { attr: { schema: key, attr: sub } }, subValue, coreSchema);
      continue;
    }
    const attr = splitAttrPath(key);
    if (attr === undefined) throw new ScimError(400, 'invalidPath', `"${key}" is not an attribute name`);
    applyAtPath(doc, operation.op, { attr }, item, coreSchema);
  }
}

/**
 * `urn:...:2.0:User` (a schema: an object of its attributes) as opposed to `urn:...:User:name` (one attribute):
 * schema URNs end in a resource type name, which starts upper-case; attribute names start lower-case.
 */
function isSchemaUrn(key: string): boolean {
  return /^urn:/i.test(key) && /^[A-Z]/.test(key.slice(key.lastIndexOf(':') + 1));
}

function applyAtPath(doc: Json, op: PatchOperation['op'], path: ScimPatchPath, value: unknown, coreSchema: string): void {
  const container = containerOf(doc, path.attr, coreSchema, op !== 'remove');
  if (container === undefined) return;
  const key = findKey(container, path.attr.attr) ?? path.attr.attr;
  if (path.filter !== undefined) {
    applyToSelected(container, key, op, path, value);
    return;
  }
  if (path.attr.subAttr !== undefined) {
    const parent = container[key];
    if (op === 'remove') {
      if (isObject(parent)) deleteKey(parent, path.attr.subAttr);
      return;
    }
    const target: Json = isObject(parent) ? parent : {};
    container[key] = target;
    target[findKey(target, path.attr.subAttr) ?? path.attr.subAttr] = value;
    return;
  }
  if (op === 'remove') {
    delete container[key];
    return;
  }
  const current = container[key];
  if (Array.isArray(value) || Array.isArray(current)) {
    const incoming = Array.isArray(value) ? value : [value];
    // §3.5.2.1: add appends to a multi-valued attribute; replace swaps the whole set.
    const next = op === 'add' && Array.isArray(current) ? [...current, ...incoming] : [...incoming];
    container[key] = keepOnePrimary(next, incoming);
  } else if (isObject(current) && isObject(value)) {
    // §3.5.2.3: sub-attributes not in value are left unchanged.
    for (const [sub, subValue] of Object.entries(value)) current[findKey(current, sub) ?? sub] = subValue;
  } else {
    container[key] = value;
  }
}

/** A valuePath target: the elements of a multi-valued attribute that pass the filter. */
function applyToSelected(container: Json, key: string, op: PatchOperation['op'], path: ScimPatchPath, value: unknown): void {
  const filter = path.filter!;
  const list = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
  const selected = list.filter((element) => isObject(element) && matchesValueFilter(filter, element));
  if (op === 'remove') {
    // Removing something already absent succeeds: provisioning clients retry removals.
    if (path.subAttr === undefined) container[key] = list.filter((element) => !selected.includes(element));
    else selected.forEach((element) => deleteKey(element as Json, path.subAttr!));
    return;
  }
  if (selected.length === 0) {
    if (op === 'replace') throw new ScimError(400, 'noTarget', 'no value matched the filter of the path');
    // `add` to `emails[type eq "work"].value` when there is no work email yet: create that element.
    const created: Json = { ...equalities(filter) };
    if (path.subAttr !== undefined) created[path.subAttr] = value;
    else if (isObject(value)) Object.assign(created, value);
    container[key] = keepOnePrimary([...list, created], [created]);
    return;
  }
  for (const element of selected as Json[]) {
    if (path.subAttr !== undefined) element[findKey(element, path.subAttr) ?? path.subAttr] = value;
    else if (isObject(value)) for (const [sub, subValue] of Object.entries(value)) element[findKey(element, sub) ?? sub] = subValue;
    else throw new ScimError(400, 'invalidValue', 'the value for a filtered path must be an object or use a sub-attribute');
  }
  if (path.subAttr?.toLowerCase() === 'primary' || (isObject(value) && readKey(value, 'primary') === true)) {
    container[key] = keepOnePrimary(list, selected);
  }
}

/** The `attr eq "x"` parts of an `and`-only filter, as the element they describe. */
function equalities(filter: NonNullable<ScimPatchPath['filter']>): Json {
  if (filter.type === 'compare' && filter.op === 'eq') return { [filter.path.attr]: filter.value };
  if (filter.type === 'and') return { ...equalities(filter.left), ...equalities(filter.right) };
  throw new ScimError(400, 'noTarget', 'no value matched the filter of the path');
}

/** RFC 7643 §2.4: at most one `primary: true`; the newly written one wins. */
function keepOnePrimary(list: unknown[], written: unknown[]): unknown[] {
  const newPrimary = written.find((e) => isObject(e) && readKey(e, 'primary') === true);
  if (newPrimary === undefined) return list;
  return list.map((e) => (e !== newPrimary && isObject(e) && readKey(e, 'primary') === true ? { ...e, primary: false } : e));
}

function containerOf(doc: Json, attr: ScimAttrPath, coreSchema: string, create: boolean): Json | undefined {
  if (attr.schema === undefined || attr.schema.toLowerCase() === coreSchema.toLowerCase()) return doc;
  const key = findKey(doc, attr.schema);
  if (key !== undefined && isObject(doc[key])) return doc[key] as Json;
  if (!create) return undefined;
  const made: Json = {};
  doc[attr.schema] = made;
  return made;
}

function findKey(object: Json, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === lower);
}

function deleteKey(object: Json, name: string): void {
  const key = findKey(object, name);
  if (key !== undefined) delete object[key];
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
