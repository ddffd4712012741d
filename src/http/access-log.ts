import type { RequestHandler } from './request-handler.ts';
import { tryHandlers } from './try-handlers.ts';
import { requestIdOf, runInRequestScope, type Log } from './request-scope.ts';

/** One answered request, as the access log and the HTTP metrics see it (no path, no query: they may name people). */
export interface AnsweredRequest {
  method: string;
  route: RouteClass;
  status: number;
  ms: number;
}

export type RouteClass =
  | 'metrics' | 'ims_account' | 'ims_interaction' | 'ims_sso' | 'ims_admin' | 'ims_dev' | 'ims_oidc' | 'scim'
  | 'console_assets' | 'console_events' | 'console' | 'verify_email' | 'redirects' | 'other';

/** Prefixes, most specific first: a bounded set of labels, however many subscriptions, users or tokens there are. */
const ROUTE_CLASSES: readonly [RegExp, RouteClass][] = [
  [/^\/metrics$/, 'metrics'],
  [/^\/ims\/account(\/|$)/, 'ims_account'],
  [/^\/ims\/interaction(\/|$)/, 'ims_interaction'],
  [/^\/ims\/sso(\/|$)/, 'ims_sso'],
  [/^\/ims\/admin(\/|$)/, 'ims_admin'],
  [/^\/ims\/dev(\/|$)/, 'ims_dev'],
  [/^\/ims(\/|$)/, 'ims_oidc'],
  [/^\/scim(\/|$)/, 'scim'],
  [/^\/console\/assets\//, 'console_assets'],
  [/^\/console\/s\/[^/]+\/events$/, 'console_events'],
  [/^\/console(\/|$)/, 'console'],
  [/^\/verify-email(\/|$)/, 'verify_email'],
  [/^\/redirects\//, 'redirects'],
];

export function routeClassOf(url: string | undefined): RouteClass {
  const path = (url ?? '/').split('?')[0]!;
  return ROUTE_CLASSES.find(([pattern]) => pattern.test(path))?.[1] ?? 'other';
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface AccessLogOptions {
  log: Log & { child(bindings: Record<string, unknown>): Log };
  /** Told of every answered request (the HTTP metrics). Must not throw. */
  onAnswered?: (request: AnsweredRequest) => void;
}

/**
 * Serves `handlers` (tried in order) inside a request scope: the request id (the caller's `x-request-id` when sane,
 * else generated) is echoed in the response and bound to every line logged while serving it, and one access line
 * is written when the response ends or the client goes away. An error a handler throws is logged here, with the id,
 * and answered with a 500 that names nothing. Answers false when no handler answered (the server's 404).
 */
export function loggedHandler(handlers: readonly RequestHandler[], options: AccessLogOptions): RequestHandler {
  return (req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const log = options.log.child({ reqId: requestId });
    const started = performance.now();
    // Classified now: the IMS rewrites `req.url` for its OpenID Connect provider while serving.
    const method = METHODS.has(req.method ?? '') ? req.method! : 'other';
    const route = routeClassOf(req.url);
    res.once('close', () => {
      // A client that went away before the answer ended is told apart from one that got it.
      const answered: AnsweredRequest = { method, route, status: res.writableFinished ? res.statusCode : 499, ms: Math.round((performance.now() - started) * 10) / 10 };
      log.info({ ...answered }, 'request');
      options.onAnswered?.(answered);
    });
    return runInRequestScope({ requestId, log }, () => tryHandlers(handlers, req, res));
  };
}
