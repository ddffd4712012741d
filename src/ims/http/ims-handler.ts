import type { IncomingMessage, ServerResponse } from 'node:http';
import { logUnexpected } from '../../http/log-error.ts';
import { errors } from 'oidc-provider';
import type { OutboxMailer } from '../../mail/outbox-mailer.ts';
import type { AccountService } from '../accounts/account-service.ts';
import type { SsoFlow } from '../federation/sso-routes.ts';
import type { ImsConfig } from '../ims-config.ts';
import type { ImsOidc } from '../oidc/ims-oidc.ts';
import { productHome } from '../accounts/product-context.ts';
import { messagePage } from './account-pages.ts';
import { createAccountRoutes } from './account-routes.ts';
import { createCsrf } from './csrf.ts';
import { HttpError, sendHtml } from '../../http/http-io.ts';
import { handleInteraction } from './interaction-routes.ts';
import { serveOutbox } from './outbox-page.ts';

export interface ImsHandlerDeps {
  config: ImsConfig;
  oidc: ImsOidc;
  accounts: AccountService;
  /** Upstream SSO federation (login redirect and `/ims/sso/callback`). */
  sso: SsoFlow;
  /** Present only when `config.devOutbox` is on. */
  outbox?: OutboxMailer;
}

/** A node:http handler for everything under `/ims`; resolves false when the path is not the IMS's. */
export type ImsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * Routes of the embedded IMS (issuer `<baseUrl>/ims`):
 * `/ims/interaction/<uid>` login and consent, `/ims/sso/callback` (upstream SSO), `/ims/account/*` self-service pages, `/ims/dev/outbox` (development),
 * and everything else under `/ims` to oidc-provider (discovery, auth, token, me, jwks, session/end, ...).
 */
export function createImsHandler(deps: ImsHandlerDeps): ImsHandler {
  const { config, oidc } = deps;
  const csrf = createCsrf(config.linkSecret, config.issuer.startsWith('https:'), new URL(config.baseUrl).origin);
  const accountRoutes = createAccountRoutes({ config, csrf, accounts: deps.accounts });
  const interactionDeps = { config, csrf, accounts: deps.accounts, provider: () => oidc.provider, sso: deps.sso };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://ims.invalid');
    if (url.pathname !== '/ims' && !url.pathname.startsWith('/ims/')) return false;
    try {
      const interaction = /^\/ims\/interaction\/([\w-]+)(?:\/(login|consent))?$/.exec(url.pathname);
      if (interaction) {
        await handleInteraction(interactionDeps, req, res, interaction[1]!, interaction[2]);
        return true;
      }
      if (url.pathname === '/ims/sso/callback') {
        await deps.sso.callback(req, res);
        return true;
      }
      if (url.pathname === '/ims/account/done') {
        const home = productHome(config, url.searchParams.get('client'));
        sendHtml(res, 200, messagePage(config, 'All set', `You can close this page and go back to ${home?.name ?? 'the application'}.`, home && { href: home.url, text: `Go to ${home.name}` }));
        return true;
      }
      if (url.pathname.startsWith('/ims/account/')) {
        if (await accountRoutes(req, res, url)) return true;
        sendHtml(res, 404, messagePage(config, 'Not found', 'There is no such page.'));
        return true;
      }
      if (url.pathname === '/ims/dev/outbox' || url.pathname === '/ims/dev/outbox.json') {
        if (!config.devOutbox || !deps.outbox) return false;
        await serveOutbox(res, deps.outbox, config, url);
        return true;
      }
      await oidc.handle(req, res);
      return true;
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return true;
      }
      if (error instanceof HttpError) {
        sendHtml(res, error.status, messagePage(config, 'Request refused', error.message));
      } else if (error instanceof errors.SessionNotFound) {
        sendHtml(res, 400, messagePage(config, 'Sign-in expired', 'This sign-in has expired or was opened in another browser. Start again from the application.'));
      } else {
        logUnexpected('ims', error);
        sendHtml(res, 500, messagePage(config, 'Something went wrong', 'The request could not be completed. Try again later.'));
      }
      return true;
    }
  };
}
