import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm as readFormBody } from '../http/http-io.ts';

export { HttpError } from '../http/http-io.ts';

const MAX_FORM_BYTES = 64 * 1024;

/**
 * Console pages load their one stylesheet and one small script from `/console/assets/`; nothing inline, so the
 * policy needs no hashes and no 'unsafe-inline'. `connect-src 'self'` admits the server-sent events stream.
 */
const CSP = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function sendPage(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-security-policy', CSP);
  res.setHeader('referrer-policy', 'same-origin');
  res.end(body);
}

/** A download (CSV, HTML report): never rendered inline by the console's origin. */
export function sendDownload(res: ServerResponse, body: string, opts: { type: string; filename: string }): void {
  res.statusCode = 200;
  res.setHeader('content-type', opts.type);
  res.setHeader('content-disposition', `attachment; filename="${opts.filename.replace(/[^\w.-]/g, '_')}"`);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  res.end(body);
}

export function sendAsset(res: ServerResponse, body: string, type: string): void {
  res.statusCode = 200;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', 'public, max-age=300');
  res.setHeader('x-content-type-options', 'nosniff');
  res.end(body);
}

export function seeOther(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  res.setHeader('location', location);
  res.setHeader('cache-control', 'no-store');
  res.end();
}

/** Reads an urlencoded form (bounded: a page of selected users is far below the limit). */
export function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return readFormBody(req, { maxBytes: MAX_FORM_BYTES, tooLarge: 'The form is too large: select fewer users at once.' });
}

/**
 * Only console paths are followed after sign-in (no open redirect): absolute URLs, `//host`, backslashes and
 * anything outside `/console/` fall back to the console's start page.
 */
export function safeConsolePath(value: string | null | undefined): string {
  if (typeof value !== 'string' || !value.startsWith('/console/') || /[\\\s]|\/\//.test(value) || value.length > 512) return '/console/';
  return value;
}
