import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendSetCookie, HttpError, parseCookies } from '../../http/http-io.ts';

const COOKIE = 'ims_csrf';

/**
 * Signed double-submit CSRF tokens: a random HttpOnly SameSite=Lax cookie, and in every form its HMAC under the
 * server secret. A cross-site form can neither read the cookie nor compute the HMAC. The token is not bound to a
 * session, so a same-site attacker able to plant the cookie (a sibling subdomain) could pair it with a token it
 * fetched itself: a POST whose `Origin` is another site is refused outright, before the token is looked at.
 */
export function createCsrf(secret: string, secure: boolean, publicOrigin: string) {
  const sign = (seed: string) => createHmac('sha256', secret).update(`csrf.${seed}`).digest('base64url');
  return {
    /** The token for this visitor's forms; sets the cookie on first visit. */
    token(req: IncomingMessage, res: ServerResponse): string {
      let seed = parseCookies(req)[COOKIE];
      if (!seed || seed.length < 20) {
        seed = randomBytes(24).toString('base64url');
        appendSetCookie(res, `${COOKIE}=${seed}; Path=/ims; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`);
        // Later reads in the same request see the new seed.
        req.headers.cookie = `${req.headers.cookie ? `${req.headers.cookie}; ` : ''}${COOKIE}=${seed}`;
      }
      return sign(seed);
    },
    /** Throws 403 `csrf_invalid` unless the form's token matches the cookie and the POST comes from the IMS's origin. */
    check(req: IncomingMessage, form: URLSearchParams): void {
      // `Origin: null` goes on to the token check: the IMS's pages send no referrer (Referrer-Policy: no-referrer),
      // and browsers then post their forms with an opaque origin (Fetch, "append a request Origin header").
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== 'null' && origin !== publicOrigin) {
        throw new HttpError(403, 'csrf_invalid', 'This request came from another site and was refused.');
      }
      const seed = parseCookies(req)[COOKIE];
      const given = Buffer.from(form.get('csrf') ?? '');
      const expected = seed ? Buffer.from(sign(seed)) : undefined;
      if (!expected || expected.length !== given.length || !timingSafeEqual(expected, given)) {
        throw new HttpError(403, 'csrf_invalid', 'This form has expired. Go back, reload the page and try again.');
      }
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
