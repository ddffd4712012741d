import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OrgPrincipal } from '../admin-api/access-tokens.ts';
import type { ImsDirectoryService } from '../directory/ims-directory.ts';

/** One authenticated SCIM request: who calls (always one org), the directory, and the request itself. */
export interface ScimContext {
  directory: ImsDirectoryService;
  principal: OrgPrincipal;
  /** Absolute base of the SCIM service (`https://ims.example/scim/v2`), for `meta.location`. */
  baseUrl: string;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  /** The JSON body (an object), size-limited; 400/413 otherwise. */
  readBody(): Promise<Record<string, unknown>>;
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
