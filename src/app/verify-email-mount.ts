import { createVerifyEmailHandler } from '../comms/verify-email-handler.ts';
import type { RequestHandler } from '../http/request-handler.ts';
import { resendFor } from './comms-wiring.ts';
import type { RehomeApp } from './compose.ts';

/**
 * The `/verify-email` handler: links signed with the server's link secret, new links mailed through the app's
 * mailer (SMTP or the outbox).
 */
export function verifyEmailHandler(app: RehomeApp): RequestHandler {
  const deps = app.comms('server:verify-email');
  return createVerifyEmailHandler({ db: app.store.kysely, links: deps.links, imsName: app.config.ims.productName, brandText: app.config.ims.brandText, now: deps.now, resend: resendFor(deps) });
}
