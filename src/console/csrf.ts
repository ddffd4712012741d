import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './console-http.ts';
import type { ConsoleSession } from './session.ts';

/**
 * Every console POST carries the session's synchronizer token (a hidden `csrf` field in every form), and a
 * cross-origin `Origin` header is refused outright. SameSite=Lax cookies already keep cross-site POSTs
 * unauthenticated; the token also covers same-site attackers (another app on a sibling subdomain).
 */
export function checkCsrf(req: IncomingMessage, session: ConsoleSession, form: URLSearchParams, publicOrigin: string): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== publicOrigin) {
    throw new HttpError(403, 'csrf_invalid', 'This request came from another site and was refused.');
  }
  const given = Buffer.from(form.get('csrf') ?? '');
  const expected = Buffer.from(session.csrf);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(403, 'csrf_invalid', 'This form has expired. Go back, reload the page and try again.');
  }
}
