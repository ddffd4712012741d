import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountService } from '../accounts/account-service.ts';
import type { LimitedRequest } from '../accounts/request-throttle.ts';
import { ThrottledError } from '../accounts/throttle-counters.ts';
import { isImsError } from '../directory/ims-directory.ts';
import type { ImsConfig } from '../ims-config.ts';
import { isPasswordError } from '../passwords/password-error.ts';
import { helpPageFor, knownClient, productHome } from '../accounts/product-context.ts';
import { messagePage, renderForm, textField, type FormPage, type PageLink } from './account-pages.ts';
import type { Csrf } from './csrf.ts';
import { statusOf } from './error-status.ts';
import { html } from '../../http/html.ts';
import { clientIp, readForm, safeReturnTo, sendHtml } from '../../http/http-io.ts';

export interface AccountRouteDeps {
  config: ImsConfig;
  csrf: Csrf;
  accounts: AccountService;
}

interface FormRoute {
  /** A request that mails the typed `email`: counted against the request limits before `submit` runs. */
  limit?: LimitedRequest;
  /** Runs before the form is shown on GET; an ImsError here shows a page with its message instead of the form. */
  prepare?(ctx: RouteContext): Promise<void>;
  /** The form (GET, and again with the error after a failed POST). */
  form(ctx: RouteContext): Omit<FormPage, 'action' | 'csrf'>;
  /** Handles the POST; returns the page to show on success. */
  submit(ctx: RouteContext, form: URLSearchParams): Promise<string>;
}

interface RouteContext {
  query: URLSearchParams;
  returnTo: string;
  ip: string;
  values: URLSearchParams;
  /** Facts `prepare` looked up for the form (e.g. the invited address). */
  facts: Record<string, string>;
  /** The registered client (application) the person came from, carried through the flow so its last page leads back. */
  client: string | undefined;
}

const CHECK_MAIL = 'If the address can receive mail, a message is on its way. Open the link in it to continue.';

function routes(deps: AccountRouteDeps): Record<string, FormRoute> {
  const { config, accounts } = deps;
  const continueLink = (ctx: RouteContext) => ({ href: ctx.returnTo, text: 'Continue' });
  const token = (ctx: RouteContext) => ctx.values.get('token') ?? ctx.query.get('token') ?? '';
  const clientField = (ctx: RouteContext): Record<string, string> => (ctx.client ? { client: ctx.client } : {});
  /** The way back to the product: the client the flow started from, else the configured product. */
  const backLink = (ctx: RouteContext): PageLink | undefined => {
    const home = productHome(config, ctx.client);
    return home && { href: home.url, text: `Go to ${home.name}` };
  };
  const helpLink = (subscriptionId: string | undefined): PageLink | undefined => {
    const href = subscriptionId ? helpPageFor(config, subscriptionId) : undefined;
    return href ? { href, text: 'What changes for you, and when' } : undefined;
  };
  const subscriptionLink = async (accountId: string) => helpLink((await accounts.subscriptionOf(accountId))?.id);
  return {
    '/ims/account/signup': {
      limit: 'signup',
      form: (ctx) => ({
        title: 'Create your account',
        fields: html`${textField('email', 'Email', { type: 'email', value: ctx.values.get('email') ?? '', autocomplete: 'email' })}
${textField('firstName', 'First name', { value: ctx.values.get('firstName') ?? '', autocomplete: 'given-name', required: false })}
${textField('lastName', 'Last name', { value: ctx.values.get('lastName') ?? '', autocomplete: 'family-name', required: false })}
${textField('password', 'Password (10 characters or more)', { type: 'password', autocomplete: 'new-password' })}`,
        submit: 'Create account',
        hidden: { return_to: ctx.returnTo },
      }),
      async submit(ctx, form) {
        await accounts.signUp({
          email: form.get('email') ?? '',
          password: form.get('password') ?? '',
          firstName: form.get('firstName') ?? '',
          lastName: form.get('lastName') ?? '',
        });
        return messagePage(config, 'Check your email', `${CHECK_MAIL} You can sign in now; your email shows as unconfirmed until then.`, continueLink(ctx));
      },
    },
    '/ims/account/verify': {
      form: (ctx) => ({
        title: 'Confirm your email',
        fields: html`<p>Enter the password you chose when you signed up.</p>
${textField('password', 'Password', { type: 'password', autocomplete: 'current-password' })}`,
        submit: 'Confirm email',
        hidden: { token: token(ctx) },
        after: html`<p>Link expired? <a href="/ims/account/verify/resend">Send a new one</a>.</p>`,
      }),
      async submit(ctx, form) {
        const account = await accounts.confirmEmail(token(ctx), form.get('password') ?? '', ctx.ip);
        return messagePage(config, 'Email confirmed', `${account.email} is confirmed.`);
      },
    },
    '/ims/account/verify/resend': {
      limit: 'resend',
      form: (ctx) => ({
        title: 'Send the confirmation link again',
        fields: textField('email', 'Email', { type: 'email', value: ctx.values.get('email') ?? '', autocomplete: 'email' }),
        submit: 'Send link',
        hidden: { return_to: ctx.returnTo },
      }),
      async submit(ctx, form) {
        await accounts.resendVerificationTo(form.get('email') ?? '');
        return messagePage(config, 'Check your email', CHECK_MAIL, continueLink(ctx));
      },
    },
    '/ims/account/invite': {
      async prepare(ctx) {
        const grant = await accounts.peekLink(token(ctx), 'invite');
        ctx.facts.email = grant.email;
        const subscription = await accounts.subscriptionOf(grant.accountId);
        if (subscription) Object.assign(ctx.facts, { subscriptionId: subscription.id, subscriptionName: subscription.name });
      },
      form: (ctx) => {
        const home = productHome(config);
        const help = helpLink(ctx.facts.subscriptionId);
        return {
          title: `Set your ${config.productName} password`,
          fields: html`${ctx.facts.email ? html`<p>Choose the ${config.productName} password for <strong>${ctx.facts.email}</strong>. This also confirms the address.</p>` : ''}
${home ? html`<p>Then sign in to ${home.name}${ctx.facts.subscriptionName ? html` (${ctx.facts.subscriptionName}, subscription ${ctx.facts.subscriptionId})` : ''} with “${config.brandText}”.</p>` : ''}
${textField('password', 'New password (10 characters or more)', { type: 'password', autocomplete: 'new-password' })}`,
          submit: 'Set password',
          hidden: { token: token(ctx) },
          ...(help ? { after: html`<p><a href="${help.href}">${help.text}</a></p>` } : {}),
        };
      },
      async submit(ctx, form) {
        const account = await accounts.acceptInvitation(token(ctx), form.get('password') ?? '');
        const back = backLink(ctx);
        const where = back ? productHome(config, ctx.client)!.name : 'the application';
        return messagePage(config, 'Password set', `Your password is set and ${account.email} is confirmed. Go back to ${where} and choose “${config.brandText}” to sign in.`,
          [back, await subscriptionLink(account.id)]);
      },
    },
    '/ims/account/reset': {
      limit: 'reset',
      form: (ctx) => ({
        title: 'Reset your password',
        fields: textField('email', 'Email', { type: 'email', value: ctx.values.get('email') ?? '', autocomplete: 'email' }),
        submit: 'Send reset link',
        hidden: { return_to: ctx.returnTo, ...clientField(ctx) },
      }),
      async submit(ctx, form) {
        await accounts.requestPasswordReset(form.get('email') ?? '', { client: ctx.client });
        return messagePage(config, 'Check your email', CHECK_MAIL, continueLink(ctx));
      },
    },
    '/ims/account/reset/confirm': {
      form: (ctx) => ({
        title: 'Choose a new password',
        fields: textField('password', 'New password (10 characters or more)', { type: 'password', autocomplete: 'new-password' }),
        submit: 'Save password',
        hidden: { token: token(ctx), ...clientField(ctx) },
      }),
      async submit(ctx, form) {
        const account = await accounts.resetPassword(token(ctx), form.get('password') ?? '');
        const back = backLink(ctx);
        const next = back ? ` Go back to ${productHome(config, ctx.client)!.name} and sign in with “${config.brandText}” and your new password.` : '';
        return messagePage(config, 'Password changed', `Your password is changed and every session of your account was signed out.${next}`,
          [back, await subscriptionLink(account.id)]);
      },
    },
    '/ims/account/email': {
      form: (ctx) => ({
        title: 'Change your email',
        fields: html`${textField('email', 'Current email', { type: 'email', value: ctx.values.get('email') ?? '', autocomplete: 'username' })}
${textField('password', 'Password', { type: 'password', autocomplete: 'current-password' })}
${textField('newEmail', 'New email', { type: 'email', value: ctx.values.get('newEmail') ?? '', autocomplete: 'email' })}`,
        submit: 'Send confirmation',
      }),
      async submit(ctx, form) {
        await accounts.requestEmailChange({ email: form.get('email') ?? '', password: form.get('password') ?? '', newEmail: form.get('newEmail') ?? '' }, ctx.ip);
        return messagePage(config, 'Check your new email', 'Open the link we sent to the new address. Your current email stays in use until then.');
      },
    },
    '/ims/account/email/confirm': {
      form: (ctx) => ({
        title: 'Confirm your new email',
        fields: textField('password', 'Password', { type: 'password', autocomplete: 'current-password' }),
        submit: 'Confirm new email',
        hidden: { token: token(ctx) },
      }),
      async submit(ctx, form) {
        const account = await accounts.confirmEmailChange(token(ctx), form.get('password') ?? '', ctx.ip);
        return messagePage(config, 'Email changed', `You now sign in with ${account.email}.`);
      },
    },
  };
}

/** Serves `/ims/account/...`; returns false when the path is not one of its pages. */
export function createAccountRoutes(deps: AccountRouteDeps) {
  const table = routes(deps);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const route = Object.hasOwn(table, url.pathname) ? table[url.pathname] : undefined;
    if (!route) return false;
    const ctx: RouteContext = {
      query: url.searchParams,
      returnTo: safeReturnTo(url.searchParams.get('return_to'), '/ims/account/done'),
      ip: clientIp(req),
      values: new URLSearchParams(),
      facts: {},
      client: knownClient(deps.config, url.searchParams.get('client')),
    };
    const show = (status: number, error?: string) =>
      sendHtml(res, status, renderForm(deps.config, { ...route.form(ctx), action: url.pathname, csrf: deps.csrf.token(req, res), ...(error ? { error } : {}) }));
    if (req.method === 'GET') {
      try {
        await route.prepare?.(ctx);
      } catch (error) {
        if (!isImsError(error)) throw error;
        sendHtml(res, statusOf(error.code), messagePage(deps.config, 'Link not valid', error.message));
        return true;
      }
      show(200);
      return true;
    }
    if (req.method !== 'POST') return false;
    const form = await readForm(req);
    deps.csrf.check(req, form);
    ctx.returnTo = safeReturnTo(form.get('return_to'), ctx.returnTo);
    ctx.client = knownClient(deps.config, form.get('client')) ?? ctx.client;
    ctx.values = new URLSearchParams([...form].filter(([k]) => k !== 'password' && k !== 'csrf'));
    try {
      if (route.limit) await deps.accounts.limitRequest(route.limit, form.get('email') ?? '', ctx.ip);
      sendHtml(res, 200, await route.submit(ctx, form));
    } catch (error) {
      if (error instanceof ThrottledError) {
        res.setHeader('retry-after', String(error.retryAfterSeconds));
        if (wantsJson(req)) sendThrottledJson(res, error);
        else show(429, error.message);
      } else if (isPasswordError(error)) show(503, error.message);
      else if (isImsError(error)) show(statusOf(error.code), error.message);
      else throw error;
    }
    return true;
  };
}

/** A script or API client that asks for JSON (and not for a page) gets the refusal as JSON. */
function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return /\bapplication\/json\b/i.test(accept) && !/\btext\/html\b/i.test(accept);
}

/** 429 with `Retry-After` (set by the caller) and the same words as the page (RFC 6585 section 4). */
function sendThrottledJson(res: ServerResponse, error: ThrottledError): void {
  res.statusCode = 429;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify({ error: error.code, message: error.message, retry_after: error.retryAfterSeconds }));
}
