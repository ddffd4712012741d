import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1024 * 1024;

/** An error with a status, a stable wire code and a message that may be shown. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[part.slice(0, eq).trim()] ??= decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A malformed cookie is ignored, as browsers do.
    }
  }
  return out;
}

export function addCookie(res: ServerResponse, cookie: string): void {
  const existing = res.getHeader('set-cookie');
  res.setHeader('set-cookie', [...(Array.isArray(existing) ? existing : existing ? [String(existing)] : []), cookie]);
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'body_too_large', 'The request body is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const contentType = (req: IncomingMessage): string => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const text = await readText(req);
  return contentType(req) === 'application/x-www-form-urlencoded' ? new URLSearchParams(text) : new URLSearchParams();
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (contentType(req) !== 'application/json') throw new HttpError(415, 'invalid_request', 'Send application/json.');
  try {
    const value = JSON.parse(await readText(req)) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through to the one message
  }
  throw new HttpError(400, 'invalid_request', 'The body must be a JSON object.');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(status === 204 ? undefined : JSON.stringify(body));
}

export function sendHtml(res: ServerResponse, status: number, body: string, scriptHashes: string[] = []): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-frame-options', 'DENY');
  const scripts = scriptHashes.length > 0 ? `script-src ${scriptHashes.map((h) => `'${h}'`).join(' ')}; ` : '';
  res.setHeader('content-security-policy', `default-src 'none'; ${scripts}style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'`);
  // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` with the page's own form posts,
  // which assertSameOrigin must refuse; same-origin still sends nothing to other sites (the IMS included).
  res.setHeader('referrer-policy', 'same-origin');
  res.end(body);
}

export function redirect(res: ServerResponse, location: string, status = 303): void {
  res.statusCode = status;
  res.setHeader('location', location);
  res.setHeader('cache-control', 'no-store');
  res.end();
}

/**
 * Cross-site form posts are refused (login CSRF and friends): a browser always sends `Origin` on a POST, and it
 * must be this server. Requests without it come from non-browser clients, which carry no cookies of ours.
 */
export function assertSameOrigin(req: IncomingMessage, origin: string): void {
  const given = req.headers.origin;
  if (given !== undefined && given !== origin) throw new HttpError(403, 'cross_origin', 'This form was sent from another site.');
}
