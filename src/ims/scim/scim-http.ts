/**
 * The HTTP side of SCIM shared by every endpoint: responses in `application/scim+json`, ETags from versions
 * (RFC 7644 §3.14), paging parameters and the ListResponse (§3.4.2.4), and `attributes`/`excludedAttributes`
 * (§3.4.2.5).
 */
import type { ServerResponse } from 'node:http';
import { ScimError } from './scim-error.ts';
import { splitAttrPath, canonicalPath } from './scim-filter.ts';
import { LIST_RESPONSE_SCHEMA } from './scim-schemas.ts';
import { MAX_RESULTS } from './scim-discovery.ts';

export const SCIM_CONTENT_TYPE = 'application/scim+json';
export const ACCEPTED_BODY_TYPES = [SCIM_CONTENT_TYPE, 'application/json'] as const;

export function sendScim(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': `${SCIM_CONTENT_TYPE}; charset=utf-8`, ...headers });
  res.end(JSON.stringify(body));
}

/** Weak: the version changes with any change of the resource, not with its byte representation. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/**
 * `If-Match` (RFC 7232 §3.1, weak comparison as SCIM servers use W/ tags): undefined when absent or `*`, otherwise
 * the version to hold the write to. 412 when no listed tag is the current one.
 */
export function checkIfMatch(header: string | undefined, currentVersion: number): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const versions = parseEntityTags(header);
  if (!versions.includes(String(currentVersion))) {
    throw new ScimError(412, undefined, `preconditionFailed: the resource is at ${etagOf(currentVersion)}, not ${header.trim()}`);
  }
  return currentVersion;
}

/** True when `If-None-Match` names the current version (a GET may answer 304). */
export function matchesIfNoneMatch(header: string | undefined, currentVersion: number): boolean {
  if (header === undefined) return false;
  return header.trim() === '*' || parseEntityTags(header).includes(String(currentVersion));
}

function parseEntityTags(header: string): string[] {
  const tags: string[] = [];
  for (const match of header.matchAll(/(?:W\/)?"([^"]*)"/g)) tags.push(match[1] as string);
  return tags;
}

export interface PageRequest {
  /** 1-based, as on the wire. */
  startIndex: number;
  offset: number;
  limit: number;
}

/** §3.4.2.4: startIndex below 1 means 1; a negative count means 0; counts above the maximum are capped. */
export function parsePage(startIndex: unknown, count: unknown): PageRequest {
  const start = readInteger(startIndex, 'startIndex') ?? 1;
  const wanted = readInteger(count, 'count') ?? MAX_RESULTS;
  const first = Math.max(1, start);
  return { startIndex: first, offset: first - 1, limit: Math.min(Math.max(0, wanted), MAX_RESULTS) };
}

function readInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new ScimError(400, 'invalidValue', `${name} must be an integer`);
  return n;
}

export function listResponse(total: number, startIndex: number, resources: unknown[]) {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: total, itemsPerPage: resources.length, startIndex, Resources: resources };
}

/** Comma-separated attribute list of a query parameter, or an array from a SearchRequest body. */
export function readAttributeList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (list === undefined || !list.every((v) => typeof v === 'string')) throw new ScimError(400, 'invalidValue', `${name} must be a list of attribute names`);
  return (list as string[]).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * Applies `attributes` (only these, plus `id` and `schemas`, returned always) or `excludedAttributes` to a
 * resource. Paths are case-insensitive; extension attributes are written with their schema URN.
 */
export function projectResource(resource: Record<string, unknown>, coreSchema: string, attributes: string[] | undefined, excluded: string[] | undefined): Record<string, unknown> {
  if (attributes === undefined && excluded === undefined) return resource;
  const keyOf = (path: string): string[] => {
    const parsed = splitAttrPath(path);
    if (parsed === undefined) throw new ScimError(400, 'invalidPath', `"${path}" is not an attribute path`);
    const canonical = canonicalPath(parsed, coreSchema);
    if (parsed.schema !== undefined && parsed.schema.toLowerCase() !== coreSchema.toLowerCase()) {
      return [parsed.schema.toLowerCase(), parsed.attr.toLowerCase()];
    }
    return canonical.split('.');
  };
  const find = (object: Record<string, unknown>, lower: string): string | undefined => Object.keys(object).find((k) => k.toLowerCase() === lower);
  if (attributes !== undefined) {
    const out: Record<string, unknown> = { schemas: resource.schemas, id: resource.id };
    for (const path of attributes) {
      const [top, sub] = keyOf(path) as [string, string | undefined];
      const key = find(resource, top);
      if (key === undefined || key === 'id' || key === 'schemas') continue;
      const value = resource[key];
      if (sub === undefined || value === null || typeof value !== 'object') {
        out[key] = value;
        continue;
      }
      const pick = (item: Record<string, unknown>) => {
        const subKey = find(item, sub);
        return subKey === undefined ? {} : { [subKey]: item[subKey] };
      };
      if (Array.isArray(value)) out[key] = value.map((item) => pick(item as Record<string, unknown>));
      else out[key] = { ...(out[key] as Record<string, unknown> | undefined), ...pick(value as Record<string, unknown>) };
    }
    return out;
  }
  const out: Record<string, unknown> = structuredClone(resource);
  for (const path of excluded ?? []) {
    const [top, sub] = keyOf(path) as [string, string | undefined];
    const key = find(out, top);
    if (key === undefined || key === 'id' || key === 'schemas') continue;
    const value = out[key];
    if (sub === undefined) delete out[key];
    else if (Array.isArray(value)) value.forEach((item) => { const k = find(item, sub); if (k !== undefined) delete item[k]; });
    else if (value !== null && typeof value === 'object') { const k = find(value as Record<string, unknown>, sub); if (k !== undefined) delete (value as Record<string, unknown>)[k]; }
  }
  return out;
}
