import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_FORM_BYTES = 16 * 1024;

export function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] ??= decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A malformed cookie is ignored, as browsers do.
    }
  }
  return out;
}

export function appendSetCookie(res: ServerResponse, cookie: string): void {
  const existing = res.getHeader('set-cookie');
  const list = Array.isArray(existing) ? existing : existing ? [String(existing)] : [];
  res.setHeader('set-cookie', [...list, cookie]);
}

/** Reads an `application/x-www-form-urlencoded` body (bounded; other content types read as empty). */
export async function readForm(req: IncomingMessage, limit: { maxBytes: number; tooLarge: string } = { maxBytes: MAX_FORM_BYTES, tooLarge: 'The form is too large.' }): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit.maxBytes) throw new HttpError(413, 'form_too_large', limit.tooLarge);
    chunks.push(chunk);
  }
  return type === 'application/x-www-form-urlencoded' ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : new URLSearchParams();
}

/** An error with a status, a wire code and a message that may be shown to the person. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * `redirectsAway`: the page's form is answered by a redirect chain that leaves the IMS (sign-in and consent end at
 * the relying party or an organization's upstream IdP). Chromium applies `form-action` to every hop of that chain,
 * so such pages cannot carry `form-action 'self'`; every other form keeps it.
 */
export function sendHtml(res: ServerResponse, status: number, body: string, options: { redirectsAway?: boolean } = {}): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-frame-options', 'DENY');
  const formAction = options.redirectsAway ? '' : " form-action 'self';";
  res.setHeader('content-security-policy', `default-src 'none'; style-src 'unsafe-inline';${formAction} frame-ancestors 'none'`);
  res.setHeader('referrer-policy', 'no-referrer');
  res.end(body);
}

export function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  res.setHeader('location', location);
  res.setHeader('cache-control', 'no-store');
  res.end();
}

/**
 * Only same-site paths under `/ims/` are followed (no open redirect): absolute URLs, protocol-relative `//host`,
 * backslash tricks and anything outside the IMS fall back to `fallback`.
 */
export function safeReturnTo(value: string | null | undefined, fallback: string): string {
  if (typeof value !== 'string' || !value.startsWith('/ims/') || /[\\\s]|\/\//.test(value) || value.length > 512) return fallback;
  return value;
}

export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
