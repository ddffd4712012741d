/**
 * What a PATCH on a User may target (RFC 7644 §3.5.2), checked before anything is applied, so that every operation
 * either changes what it names or fails with the RFC's error; never a 200 for an operation that did nothing:
 * - an attribute this server does not store (not in `/Schemas`), by path or as a key of a path-less value:
 *   400 `invalidPath` (§3.5.2: a path that names no attribute is invalid);
 * - a read-only attribute (`id`, `meta`, `displayName`, `name.formatted`, the IMS extension): 400 `mutability`,
 *   unless the value given is the one it already has (an idempotent "set it to what it is" is not a modification);
 * - removing what the account cannot be without (`userName`, `active`, `emails`, the extension): 400 `mutability`
 *   (§3.5.2: "an operation that is not compatible with an attribute's mutability").
 */
import { ScimError } from './scim-error.ts';
import { canonicalPath, splitAttrPath } from './scim-filter.ts';
import type { PatchOperation } from './scim-patch.ts';
import { readKey } from './scim-path.ts';
import { IMS_USER_SCHEMA, USER_SCHEMA } from './scim-schemas.ts';

type Json = Record<string, unknown>;

const EXT = IMS_USER_SCHEMA.toLowerCase();
const WRITABLE = new Set(['externalid', 'username', 'name', 'name.givenname', 'name.familyname', 'active', 'emails', 'emails.value', 'emails.type', 'emails.primary']);
const READ_ONLY = new Set(['id', 'meta', 'displayname', 'name.formatted', EXT, `${EXT}:emailverified`, `${EXT}:type`]);
const REMOVABLE = new Set(['externalid', 'name', 'name.givenname', 'name.familyname']);
const WHY_NOT_REMOVABLE: Record<string, string> = {
  username: 'userName is required',
  active: 'active cannot be removed; replace it with true or false',
  emails: 'the account always has exactly one email; replace it instead',
};

/** Throws the RFC 7644 error of the first operation that could not be applied as written; `doc` is the current User. */
export function checkUserPatchTargets(doc: Json, operations: readonly PatchOperation[]): void {
  for (const operation of operations) {
    if (operation.path !== undefined) {
      const key = targetKey(operation.path.attr);
      if (operation.path.filter !== undefined && key !== 'emails') throw new ScimError(400, 'invalidPath', `a value filter applies to emails only, not to ${key}`);
      const full = operation.path.subAttr === undefined ? key : `${key}.${operation.path.subAttr.toLowerCase()}`;
      checkTarget(doc, operation.op, full, operation.value, operation.path.filter !== undefined);
      continue;
    }
    if (!isObject(operation.value)) throw new ScimError(400, 'invalidValue', 'without a path, value must be an object of attributes');
    for (const [name, value] of Object.entries(operation.value)) {
      const attr = splitAttrPath(name);
      if (attr === undefined) throw new ScimError(400, 'invalidPath', `"${name}" is not an attribute name`);
      const key = targetKey(attr);
      if (key === EXT && isObject(value)) {
        for (const [sub, subValue] of Object.entries(value)) checkTarget(doc, operation.op, `${EXT}:${sub.toLowerCase()}`, subValue, false);
      } else {
        checkTarget(doc, operation.op, key, value, false);
      }
    }
  }
}

/** The canonical key of a path; the IMS extension named whole (`urn:...:ims:2.0:User`) is its URN. */
function targetKey(attr: { schema?: string; attr: string; subAttr?: string }): string {
  if (attr.schema !== undefined && attr.subAttr === undefined && `${attr.schema}:${attr.attr}`.toLowerCase() === EXT) return EXT;
  return canonicalPath(attr, USER_SCHEMA);
}

function checkTarget(doc: Json, op: PatchOperation['op'], key: string, value: unknown, filtered: boolean): void {
  const known = WRITABLE.has(key) || READ_ONLY.has(key) || key.startsWith('meta.');
  if (!known) throw new ScimError(400, 'invalidPath', `${key} is not an attribute of this server's User (see /Schemas)`);
  // A null value in add/replace unassigns the attribute (RFC 7643 §2.5): the same rules as remove.
  const removes = op === 'remove' || value === null || (key === 'emails' && !filtered && Array.isArray(value) && value.length === 0);
  if (READ_ONLY.has(key) || key.startsWith('meta.')) {
    if (removes || !sameValue(currentValue(doc, key), value)) throw new ScimError(400, 'mutability', `${key} is read-only`);
    return;
  }
  if (!removes) return;
  if (REMOVABLE.has(key)) return;
  const base = key.split('.')[0]!;
  throw new ScimError(400, 'mutability', WHY_NOT_REMOVABLE[base] ?? `${key} cannot be removed`);
}

function currentValue(doc: Json, key: string): unknown {
  if (key === EXT) return readKey(doc, IMS_USER_SCHEMA);
  if (key.startsWith(`${EXT}:`)) {
    const ext = readKey(doc, IMS_USER_SCHEMA);
    return isObject(ext) ? readKey(ext, key.slice(EXT.length + 1)) : undefined;
  }
  const [top, sub] = key.split('.') as [string, string | undefined];
  const value = readKey(doc, top);
  if (sub === undefined) return value;
  return isObject(value) ? readKey(value, sub) : undefined;
}

/** Deep equality with case-insensitive keys; a partial object matches when every attribute it names matches. */
function sameValue(current: unknown, given: unknown): boolean {
  if (isObject(given)) {
    if (!isObject(current)) return false;
    return Object.entries(given).every(([k, v]) => sameValue(readKey(current, k), v));
  }
  if (Array.isArray(given)) return Array.isArray(current) && given.length === current.length && given.every((v, i) => sameValue(current[i], v));
  if (typeof given === 'string' && typeof current === 'boolean') return given.toLowerCase() === String(current);
  return current === given;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
