import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendSetCookie, HttpError, parseCookies } from '../../http/http-io.ts';

const COOKIE = 'ims_csrf';

/**
 * Signed double-submit CSRF tokens: a random HttpOnly SameSite=Lax cookie, and in every form its HMAC under the
 * server secret. A cross-site form can neither read the cookie nor compute the HMAC.
 */
export function createCsrf(secret: string, secure: boolean) {
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
    /** Throws 403 `csrf_invalid` unless the form's token matches the cookie. */
    check(req: IncomingMessage, form: URLSearchParams): void {
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
