/**
 * What a SCIM server says it supports (RFC 7643 §5 /ServiceProviderConfig), as the batched calls need it: whether
 * Bulk may carry many writes per request and how many, and how many resources one filtered list returns.
 */
import { isIdpError } from '../../../ports/identity-provider.ts';
import type { ScimClient } from './scim-client.ts';

export interface ScimCapabilities {
  /** Bulk as used: operations and bytes per request (the server's limits, capped by ours); null when not used. */
  bulk: { maxOperations: number; maxPayloadSize: number } | null;
  /** Values looked up per filtered GET (`a eq x or a eq y ...`); 1 when bulk is not used (one look-up per value). */
  lookupChunk: number;
}

/** Values per `or` filter: about 3 KB of query string for e-mail addresses, within every server's URL limit. */
export const LOOKUP_CHUNK = 50;
/** Operations per Bulk request even when a server allows more: one failed request must not cost too much work. */
export const MAX_BULK_OPERATIONS = 1000;

export const NO_BULK: ScimCapabilities = { bulk: null, lookupChunk: 1 };

/**
 * Reads a /ServiceProviderConfig body. Bulk is used when it is supported with at least two operations and a
 * payload limit; look-ups are then combined with `or` (RFC 7644 §3.4.2.2: a server that supports filtering
 * supports `or`), capped by `filter.maxResults`.
 */
export function readCapabilities(body: unknown): ScimCapabilities {
  const config = (typeof body === 'object' && body !== null ? body : {}) as { bulk?: Record<string, unknown>; filter?: Record<string, unknown> };
  const bulk = config.bulk ?? {};
  const filter = config.filter ?? {};
  const maxOperations = positive(bulk.maxOperations);
  const maxPayloadSize = positive(bulk.maxPayloadSize);
  if (bulk.supported !== true || maxOperations < 2 || maxPayloadSize === 0 || filter.supported !== true) return NO_BULK;
  const maxResults = positive(filter.maxResults) || LOOKUP_CHUNK;
  return {
    bulk: { maxOperations: Math.min(maxOperations, MAX_BULK_OPERATIONS), maxPayloadSize },
    // A look-up by email may find two accounts per address (an ambiguity to report), so ask for half a page.
    lookupChunk: Math.max(1, Math.min(LOOKUP_CHUNK, Math.floor(maxResults / 2))),
  };
}

function positive(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/**
 * Asks the server once and remembers the answer. A server without the endpoint (404, 501) has no Bulk; a failure
 * of unknown meaning (unavailable, throttled) is not remembered, so the next batch asks again.
 */
export function createCapabilitiesSource(scim: ScimClient, mode: 'auto' | 'off'): { get(signal?: AbortSignal): Promise<ScimCapabilities>; known(): ScimCapabilities | undefined } {
  let known: ScimCapabilities | undefined = mode === 'off' ? NO_BULK : undefined;
  let pending: Promise<ScimCapabilities> | undefined;
  return {
    known: () => known,
    get(signal) {
      if (known !== undefined) return Promise.resolve(known);
      // A signal (the planner's patience) ends the look-up and its retries; the failure is not remembered.
      pending ??= scim.request({ operation: 'discover', method: 'GET', path: '/ServiceProviderConfig', idempotent: true, ...(signal ? { signal } : {}) })
        .then(({ body }) => readCapabilities(body), (error: unknown) => {
          if (isIdpError(error, 'not_found') || isIdpError(error, 'invalid_request') || (error as { status?: number }).status === 501) return NO_BULK;
          throw error;
        })
        .then((capabilities) => (known = capabilities), (error: unknown) => {
          pending = undefined;
          throw error;
        });
      return pending;
    },
  };
}
