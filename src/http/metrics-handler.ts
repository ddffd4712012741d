import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from './request-handler.ts';

export interface MetricsHandlerOptions {
  /** The exposition (Prometheus text format) and its content type, rendered at scrape time. */
  render(): Promise<{ contentType: string; body: string }>;
  /** When set, a scrape must send `Authorization: Bearer <token>`; otherwise /metrics is open (bind to loopback). */
  token: string | null;
}

/** `GET /metrics` for Prometheus (docs/operations.md). Every other path is left to the next handler. */
export function createMetricsHandler(options: MetricsHandlerOptions): RequestHandler {
  const expected = options.token === null ? undefined : digest(options.token);
  return async (req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return false;
    res.setHeader('cache-control', 'no-store');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return true;
    }
    if (expected && !bearerMatches(req.headers.authorization, expected)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' }).end('A bearer token is required (server.metricsToken).\n');
      return true;
    }
    const { contentType, body } = await options.render();
    res.writeHead(200, { 'content-type': contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

/**
 * Compared as SHA-256 digests with `timingSafeEqual`: equal lengths whatever was sent, so neither the token's
 * length nor how much of it matched shows in the response time.
 */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return timingSafeEqual(digest(m?.[1] ?? ''), expected) && m !== null;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
