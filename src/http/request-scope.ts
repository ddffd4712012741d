import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The part of a structured logger (pino's `Logger`) that src/http and the parts it serves write through. Fields
 * are ids, codes and numbers: never an address, a name or a query string (docs/operations.md, "Logs").
 */
export interface Log {
  info(fields: Record<string, unknown>, message?: string): void;
  warn(fields: Record<string, unknown>, message?: string): void;
  error(fields: Record<string, unknown>, message?: string): void;
}

/** What every log line written while serving one request carries. */
export interface RequestScope {
  requestId: string;
  /** The server's logger, bound to this request's id. */
  log: Log;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** The request being served by the current async call chain, if any (an error logged deep inside names it). */
export function currentRequest(): RequestScope | undefined {
  return scopes.getStore();
}

export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

/**
 * A caller's `x-request-id` is kept when it is a plain token (a proxy's or a load balancer's id, so one request can
 * be followed across them); anything else — too long, a list, spaces, an `@` that could carry an address — is
 * replaced by a fresh UUID, so a client cannot write arbitrary text into the log.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}
