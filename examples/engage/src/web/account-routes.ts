import type { IncomingMessage, ServerResponse } from 'node:http';
import { userManagementGate } from 'rehome/product-kit';
import { consumeAccountToken, issueAccountToken } from '../auth/account-tokens.ts';
import { revokePasswordSessions } from '../auth/sessions.ts';
import { queueMail } from '../content/outbox.ts';
import { signedInUser, type EngageContext } from '../engage-context.ts';
import { html, layout } from '../http/html.ts';
import { assertSameOrigin, HttpError, readForm, sendHtml } from '../http/http-io.ts';
import { findSubscriptionByInstance, type EngageSubscription } from '../users/subscriptions.ts';
import { hashPassword } from '../users/passwords.ts';
import { findUserByLogin, getUser, type EngageUser } from '../users/user-records.ts';

/**
 * Self-service account changes by mailed one-time link: password reset and email change. Both are how accounts get
 * taken over mid-move, so a cut-over user's pending links are dropped (the kit's cutover) and new ones are refused.
 */
export async function handleAccountRoutes(ctx: EngageContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const match = /^\/app-([a-z0-9]+)\/account\/(password-reset|password-reset\/confirm|email|email\/confirm)$/.exec(url.pathname);
  const subscription = match && findSubscriptionByInstance(ctx.db, match[1]!);
  if (!match || !subscription) return false;
  const action = `${req.method} ${match[2]}`;
  const base = `${ctx.origin}/app-${subscription.instance}`;
  if (action === 'GET password-reset') {
    sendHtml(res, 200, page('Reset your password', html`<form method="post"><label for="login">Email or login</label><input id="login" name="login" required><button>Send me a link</button></form>`));
  } else if (action === 'POST password-reset') {
    assertSameOrigin(req, ctx.origin);
    const user = findUserByLogin(ctx.db, subscription.id, (await readForm(req)).get('login') ?? '');
    if (user && mayChangeCredentials(user, subscription)) {
      const token = issueAccountToken(ctx.db, user.id, 'password_reset', ctx.now());
      queueMail(ctx.db, { to: user.email, subject: 'Reset your Engage password', body: `Choose a new password: ${base}/account/password-reset/confirm?token=${token}`, createdAt: ctx.now().toISOString() });
    }
    // The same answer either way: the page must not tell who has an account here.
    sendHtml(res, 200, page('Check your mail', html`<p class="notice">If that account can reset its password here, a link is on its way.</p>`));
  } else if (action === 'GET password-reset/confirm') {
    sendHtml(res, 200, page('Choose a new password', html`<form method="post"><input type="hidden" name="token" value="${url.searchParams.get('token') ?? ''}">
<label for="password">New password</label><input id="password" name="password" type="password" minlength="10" required><button>Save</button></form>`));
  } else if (action === 'POST password-reset/confirm') {
    assertSameOrigin(req, ctx.origin);
    const form = await readForm(req);
    const password = form.get('password') ?? '';
    if (password.length < 10) throw new HttpError(400, 'invalid_password', 'Choose a password of at least 10 characters.');
    const user = usableToken(ctx, subscription, form.get('token') ?? '', 'password_reset');
    const hash = await hashPassword(password);
    ctx.db.transaction(() => {
      ctx.db.sqlite.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, user.id);
      revokePasswordSessions(ctx.db, user.id);
    });
    sendHtml(res, 200, page('Password changed', html`<p class="notice">Your password is changed. <a href="/app-${subscription.instance}/login">Sign in</a>.</p>`));
  } else if (action === 'POST email') {
    assertSameOrigin(req, ctx.origin);
    const current = signedInUser(ctx, req);
    if (!current || current.user.subscriptionId !== subscription.id) throw new HttpError(401, 'not_signed_in', 'Sign in first.');
    if (!mayChangeCredentials(current.user, subscription)) throw new HttpError(403, 'managed_in_ims', 'Your email is managed in the IMS now.');
    const newEmail = ((await readForm(req)).get('email') ?? '').trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(newEmail)) throw new HttpError(400, 'invalid_email', 'Enter an email address.');
    const token = issueAccountToken(ctx.db, current.user.id, 'email_change', ctx.now(), newEmail);
    queueMail(ctx.db, { to: newEmail, subject: 'Confirm your new Engage email', body: `Confirm: ${base}/account/email/confirm?token=${token}`, createdAt: ctx.now().toISOString() });
    sendHtml(res, 200, page('Check your mail', html`<p class="notice">Open the link we sent to ${newEmail} to confirm it.</p>`));
  } else if (action === 'GET email/confirm') {
    const token = url.searchParams.get('token') ?? '';
    const used = consumeAccountToken(ctx.db, token, 'email_change', ctx.now());
    const user = used && getUser(ctx.db, used.userId);
    if (!used || !user || user.subscriptionId !== subscription.id || !used.newEmail || !mayChangeCredentials(user, subscription)) {
      throw new HttpError(400, 'invalid_token', 'This link is not valid any more.');
    }
    ctx.db.sqlite.prepare('UPDATE users SET email = ?, email_verified = 1 WHERE id = ?').run(used.newEmail, user.id);
    sendHtml(res, 200, page('Email changed', html`<p class="notice">Your email is now ${used.newEmail}.</p>`));
  } else {
    return false;
  }
  return true;
}

function mayChangeCredentials(user: EngageUser, subscription: EngageSubscription): boolean {
  return !user.apiOnly && user.status === 'active' && userManagementGate(user, { subscriptionMoved: subscription.movedAt !== null }).allowed;
}

function usableToken(ctx: EngageContext, subscription: EngageSubscription, token: string, purpose: 'password_reset'): EngageUser {
  const used = consumeAccountToken(ctx.db, token, purpose, ctx.now());
  const user = used && getUser(ctx.db, used.userId);
  if (!user || user.subscriptionId !== subscription.id || !mayChangeCredentials(user, subscription)) {
    throw new HttpError(400, 'invalid_token', 'This link is not valid any more. Ask for a new one.');
  }
  return user;
}

function page(title: string, body: ReturnType<typeof html>): string {
  return layout(title, html`<div class="card"><h1>${title}</h1>${body}</div>`);
}
