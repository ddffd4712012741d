import type { OrgPrincipal } from '../admin-api/access-tokens.ts';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';

/**
 * One authenticated SCIM request, as the endpoint functions see it: who calls (always one org), the directory, the
 * request facts they read and where their answer goes. It is built from an HTTP request (`scim-handler.ts`) or from
 * one operation of a Bulk request (`scim-bulk.ts`), so both run the same endpoint code.
 */
export interface ScimContext {
  directory: ImsDirectoryService;
  principal: OrgPrincipal;
  /** Absolute base of the SCIM service (`https://ims.example/scim/v2`), for `meta.location`. */
  baseUrl: string;
  /** The HTTP method (`GET`, `POST`, ...), upper-case. */
  method: string;
  query: URLSearchParams;
  /** The `If-Match` header (a Bulk operation's `version`); undefined when absent. */
  ifMatch: string | undefined;
  /** The `If-None-Match` header; undefined when absent. */
  ifNoneMatch: string | undefined;
  /** The JSON body (an object), size-limited; 400/413 otherwise. */
  readBody(): Promise<Record<string, unknown>>;
  /** The answer: status, body (a resource, a list, an error) and headers (`ETag`, `Location`). Called once. */
  reply(status: number, body?: unknown, headers?: Record<string, string>): void;
}

/** A list request from the query string (GET) or a SearchRequest body (POST /.search, RFC 7644 §3.4.3). */
export interface ScimListParams {
  filter: string | undefined;
  startIndex: unknown;
  count: unknown;
  attributes: unknown;
  excludedAttributes: unknown;
  sortBy: unknown;
  sortOrder: unknown;
}
