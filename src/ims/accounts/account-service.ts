import type { Mailer } from '../../mail/mailer.ts';
import { ImsError, type ImsAccountRecord, type ImsDirectoryService } from '../directory/ims-directory.ts';
import type { ImsConfig } from '../ims-config.ts';
import { PasswordError } from '../passwords/password-error.ts';
import { signInWithLazyMigration, type LegacyPasswordVerifier } from '../passwords/password-strategy.ts';
import type { StrategyRegistry } from '../passwords/strategy-registry.ts';
import { accountMails } from './account-mails.ts';
import { reasonNotToInvite, type InvitationSender } from './invitations.ts';
import { accountSubscription, knownClient, type AccountSubscription } from './product-context.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { OneTimeLinks } from './one-time-links.ts';
import type { LimitedRequest, RequestThrottle } from './request-throttle.ts';
import { hashPassword, verifyAndUpgrade, verifyPassword } from './passwords.ts';

export interface AccountServiceDeps {
  directory: ImsDirectoryService;
  links: OneTimeLinks;
  throttle: LoginThrottle;
  /** Limits sign-ups, reset requests and verification resends per address and per client. */
  requestThrottle: RequestThrottle;
  mailer: Mailer;
  config: ImsConfig;
  /** Ends every session and token of an account (the OIDC provider's `revokeAccount`). */
  revokeSessions: (accountId: string) => Promise<void>;
  /** Invitations to set a password (the `invite` strategy); "Forgot your password?" renews an expired one. */
  invitations: InvitationSender;
  /**
   * Lazy migration: for an account without a password whose subscription runs the `lazy` strategy, the product
   * checks the legacy password once, then the IMS keeps an argon2id hash of it.
   */
  legacyPasswords?: { verifier: LegacyPasswordVerifier; strategies: StrategyRegistry };
}

/**
 * Self-service account flows of the embedded IMS. The rules that defeat account pre-hijacking:
 * - an unverified address never blocks anybody: sign-up always creates a fresh account;
 * - a mailed link alone never verifies or attaches an address: the account's password must be entered too, so a
 *   squatter's link clicked by the real owner does nothing;
 * - when someone proves an address, every squatting unverified account and pending change for it is voided and
 *   their sessions ended; a password reset ends every session of the account;
 * - password reset only exists for verified accounts (an invited account gets its invitation again instead);
 * - imported hashes and lazily checked legacy passwords never verify an address: only a mailed link does.
 */
export function createAccountService(deps: AccountServiceDeps) {
  const { directory, links, throttle, mailer, config } = deps;
  /** The look-up key of an address (the one address rule; a look-alike is refused with `email_refused`). */
  const key = (email: string) => directory.address(email).key;
  const url = (path: string) => `${config.baseUrl}${path}`;

  const claimAddress = async (accountId: string, email: string): Promise<ImsAccountRecord> => {
    const result = await directory.verifyEmail(accountId, email);
    await links.revokeForEmail(email, accountId);
    for (const id of result.invalidatedAccountIds) await deps.revokeSessions(id);
    return result.account;
  };

  const requirePassword = async (account: ImsAccountRecord, password: string, ip: string): Promise<void> => {
    await throttle.check(account.emailNormalized, ip);
    const checked = await verifyAndUpgrade(account.passwordHash, password);
    if (!checked.ok) {
      await throttle.recordFailure(account.emailNormalized, ip);
      throw new ImsError('invalid_credentials', 'That password is not right.');
    }
    if (checked.upgradedHash) await directory.setPasswordHash(account.id, checked.upgradedHash);
  };

  return {
    /** Always answers the same way (no account enumeration); the mail says what happened. */
    async signUp(input: { email: string; password: string; firstName?: string; lastName?: string }): Promise<void> {
      // The one address rule: a look-alike (full-width, invisible characters, mixed scripts...) is refused here,
      // and mail goes to the delivery form, the very address the key stands for.
      const { key: emailNorm, delivery } = directory.address(input.email);
      const passwordHash = await hashPassword(input.password);
      if (await directory.findVerifiedAccount(emailNorm)) {
        await mailer.send(accountMails.alreadyRegistered({
          to: delivery, product: config.productName, resetLink: url('/ims/account/reset'), key: `ims:already-registered:${crypto.randomUUID()}`,
        }));
        return;
      }
      const userNameFree = !(await directory.findAccountByUserName(delivery));
      const id = crypto.randomUUID();
      const account = await directory.createAccount({
        id,
        email: delivery,
        firstName: input.firstName,
        lastName: input.lastName,
        passwordHash,
        // Two pending sign-ups for one address must not collide on userName.
        userName: userNameFree ? delivery : id,
      });
      await sendVerification(account);
    },

    async resendVerification(accountId: string): Promise<void> {
      const account = await directory.getAccount(accountId);
      if (account && !account.emailVerified) await sendVerification(account);
    },

    /**
     * "Send the link again" for an address: a fresh verification link for its newest unconfirmed sign-ups (at most
     * three, so that piled-up sign-ups cannot multiply the mail; each link still needs that sign-up's password).
     * Nothing for an unknown or already confirmed address; the caller answers alike either way.
     */
    async resendVerificationTo(email: string): Promise<void> {
      const pending = (await directory.findAccountsByEmail(email))
        .filter((a) => !a.emailVerified && a.passwordHash && a.status === 'active' && a.type !== 'federated')
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      for (const account of pending.slice(0, 3)) await sendVerification(account);
    },

    /**
     * Counts one mail-sending request (`signup`, `reset`, `resend`) for the address's look-up key and the client;
     * throws `throttled` (a `ThrottledError` with the seconds to wait) over a limit. Call it before the request.
     */
    async limitRequest(action: LimitedRequest, email: string, ip: string): Promise<void> {
      await deps.requestThrottle.admit(action, key(email), ip);
    },

    signIn,

    /**
     * Records an address proven elsewhere (an organization's upstream said `email_verified: true`) with the same
     * effects as a confirmed link: other unverified claims on it and their sessions end.
     */
    claimVerifiedAddress: claimAddress,

    peekLink: links.peek,

    /** The product subscription the account belongs to (its product profile), for the pages to name and link. */
    subscriptionOf: (accountId: string): Promise<AccountSubscription | undefined> => accountSubscription(directory, accountId),

    /** Completes email verification: the link plus the account's password (see the rules above). */
    async confirmEmail(token: string, password: string, ip: string): Promise<ImsAccountRecord> {
      const grant = await links.peek(token, 'verify_email');
      const account = await directory.getAccount(grant.accountId);
      if (!account || key(account.email) !== key(grant.email)) throw new ImsError('token_invalid', 'This link no longer applies.');
      await requirePassword(account, password, ip);
      await links.consume(token, 'verify_email');
      return claimAddress(account.id, grant.email);
    },

    /**
     * `client`: the application the person came from (a registered client id); the mailed link carries it, so the
     * page after the new password leads back there.
     */
    async requestPasswordReset(email: string, options: { client?: string | undefined } = {}): Promise<void> {
      const account = await findVerifiedPasswordAccount(email);
      if (!account) {
        const invited = await findInvitedAccounts(email);
        for (const pending of invited) await deps.invitations.resend(pending.id);
        if (invited.length > 0) return;
        await mailer.send(accountMails.noVerifiedAccount({
          to: directory.address(email).delivery, product: config.productName, signupLink: url('/ims/account/signup'), key: `ims:no-account:${crypto.randomUUID()}`,
        }));
        return;
      }
      await links.revokeForAccount(account.id, 'reset_password');
      const { id, token } = await links.issue('reset_password', account.id, account.email, config.ttl.resetPasswordLink);
      await mailer.send(accountMails.resetPassword({
        to: account.email, product: config.productName, key: `ims:reset-password:${id}`,
        link: url(`/ims/account/reset/confirm?token=${token}${knownClient(config, options.client) ? `&client=${encodeURIComponent(options.client!)}` : ''}`),
      }));
    },

    /**
     * Completes an invitation: sets the password and, since only the mailbox's owner holds the link, verifies the
     * address with the same effects as a confirmed link (squatting claims on it are voided, their sessions end).
     */
    async acceptInvitation(token: string, newPassword: string): Promise<ImsAccountRecord> {
      const passwordHash = await hashPassword(newPassword);
      const grant = await links.peek(token, 'invite');
      const account = await directory.getAccount(grant.accountId);
      if (!account || reasonNotToInvite({ ...account, passwordHash: null }) || account.emailNormalized !== key(grant.email)) {
        throw new ImsError('token_invalid', 'This invitation no longer applies. Use "Forgot your password?" on the sign-in page.');
      }
      await links.consume(token, 'invite');
      await claimAddress(account.id, grant.email);
      await directory.setPasswordHash(account.id, passwordHash);
      await deps.revokeSessions(account.id);
      await throttle.recordSuccess(account.emailNormalized);
      return (await directory.getAccount(account.id))!;
    },

    async resetPassword(token: string, newPassword: string): Promise<ImsAccountRecord> {
      const passwordHash = await hashPassword(newPassword);
      const grant = await links.consume(token, 'reset_password');
      const account = await directory.getAccount(grant.accountId);
      if (!account || !account.emailVerified || account.emailNormalized !== key(grant.email)) {
        throw new ImsError('token_invalid', 'This link no longer applies.');
      }
      await directory.setPasswordHash(account.id, passwordHash);
      // Whoever knew the old password (or held a session) is out.
      await deps.revokeSessions(account.id);
      await throttle.recordSuccess(account.emailNormalized);
      return (await directory.getAccount(account.id))!;
    },

    /** Starts an email change: authenticated by the current password; nothing changes until the new address confirms. */
    async requestEmailChange(input: { email: string; password: string; newEmail: string }, ip: string): Promise<void> {
      const account = await signIn(input.email, input.password, ip);
      const newNorm = key(input.newEmail);
      if (newNorm === account.emailNormalized) throw new ImsError('invalid_input', 'That is already your email.');
      await links.revokeForAccount(account.id, 'change_email');
      const { id, token } = await links.issue('change_email', account.id, input.newEmail, config.ttl.verifyEmailLink);
      await mailer.send(accountMails.confirmEmailChange({
        to: directory.address(input.newEmail).delivery, product: config.productName, link: url(`/ims/account/email/confirm?token=${token}`), key: `ims:change-email:${id}`,
      }));
    },

    async confirmEmailChange(token: string, password: string, ip: string): Promise<ImsAccountRecord> {
      const grant = await links.peek(token, 'change_email');
      const account = await directory.getAccount(grant.accountId);
      if (!account) throw new ImsError('token_invalid', 'This link no longer applies.');
      await requirePassword(account, password, ip);
      await links.consume(token, 'change_email');
      const updated = await claimAddress(account.id, grant.email);
      await mailer.send(accountMails.emailChanged({
        to: account.email, product: config.productName, newEmail: updated.email, key: `ims:email-changed:${grant.id}`,
      }));
      return updated;
    },
  };

  /**
   * Password sign-in. Verified accounts first; unverified accounts may sign in (their tokens say so). An imported
   * legacy hash that matches is replaced by argon2id; an account without a password in a `lazy` subscription asks
   * the product. Every failure counts towards the throttle alike.
   */
  async function signIn(email: string, password: string, ip: string): Promise<ImsAccountRecord> {
    const emailNorm = key(email);
    await throttle.check(emailNorm, ip);
    const accounts = (await directory.findAccountsByEmail(emailNorm)).filter((a) => a.type !== 'federated');
    const candidates = accounts.filter((a) => a.passwordHash).sort((a, b) => Number(b.emailVerified) - Number(a.emailVerified));
    for (const account of candidates) {
      const checked = await verifyAndUpgrade(account.passwordHash, password);
      if (!checked.ok) continue;
      if (account.status !== 'active') throw new ImsError('account_disabled', 'This account is disabled. Contact your administrator.');
      if (checked.upgradedHash) await directory.setPasswordHash(account.id, checked.upgradedHash);
      await throttle.recordSuccess(emailNorm);
      return account;
    }
    const lazy = await signInLazily(accounts.filter((a) => !a.passwordHash && a.status === 'active'), password);
    if (lazy.account) {
      await throttle.recordSuccess(emailNorm);
      return lazy.account;
    }
    if (candidates.length === 0 && !lazy.asked) await verifyPassword(null, password);
    await throttle.recordFailure(emailNorm, ip);
    throw new ImsError('invalid_credentials', 'The email or password is not right.');
  }

  /** Lazy migration (see `signInWithLazyMigration`): the product is asked only for accounts of a lazy subscription. */
  async function signInLazily(accounts: ImsAccountRecord[], password: string): Promise<{ account?: ImsAccountRecord; asked: boolean }> {
    const legacy = deps.legacyPasswords;
    let asked = false;
    if (!legacy) return { asked };
    const verifier: LegacyPasswordVerifier = {
      async verify(user, pw) {
        asked = true;
        try {
          return await legacy.verifier.verify(user, pw);
        } catch (error) {
          // Not a wrong password: nothing is counted, and the person is told to come back.
          throw new PasswordError('legacy_check_unavailable', 'Your password cannot be checked right now. Try again in a few minutes.', { cause: error });
        }
      },
    };
    for (const account of accounts) {
      const target = await legacy.strategies.lazyTargetFor(account.id);
      if (!target) continue;
      const result = await signInWithLazyMigration({
        directory, verifier, strategy: 'lazy', account, productUserId: target.productUserId, subscriptionId: target.subscriptionId, password,
      });
      if (result.ok) return { account, asked };
    }
    return { asked };
  }

  /** The verified account a password reset is for: personal first, then one an organization owns (never federated). */
  async function findVerifiedPasswordAccount(email: string): Promise<ImsAccountRecord | undefined> {
    const verified = (await directory.findAccountsByEmail(email)).filter((a) => a.emailVerified && a.type !== 'federated');
    return verified.find((a) => a.type === 'personal') ?? verified[0];
  }

  /** Accounts that were invited to set a password and still have none: "Forgot your password?" renews the invitation. */
  async function findInvitedAccounts(email: string): Promise<ImsAccountRecord[]> {
    const out: ImsAccountRecord[] = [];
    for (const account of await directory.findAccountsByEmail(email)) {
      if (!reasonNotToInvite(account) && (await links.wasIssued(account.id, 'invite'))) out.push(account);
    }
    return out;
  }

  async function sendVerification(account: ImsAccountRecord): Promise<void> {
    const { id, token } = await links.issue('verify_email', account.id, account.email, config.ttl.verifyEmailLink);
    await mailer.send(accountMails.verifyEmail({
      to: account.email, product: config.productName, link: url(`/ims/account/verify?token=${token}`), key: `ims:verify-email:${id}`,
    }));
  }
}

export type AccountService = ReturnType<typeof createAccountService>;
