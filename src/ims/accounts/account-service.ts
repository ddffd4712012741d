import type { Mailer } from '../../mail/mailer.ts';
import { normalizeEmail } from '../directory/directory-context.ts';
import { ImsError, type ImsAccountRecord, type ImsDirectoryService } from '../directory/ims-directory.ts';
import type { ImsConfig } from '../ims-config.ts';
import { accountMails } from './account-mails.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { OneTimeLinks } from './one-time-links.ts';
import { hashPassword, verifyAndUpgrade, verifyPassword } from './passwords.ts';

export interface AccountServiceDeps {
  directory: ImsDirectoryService;
  links: OneTimeLinks;
  throttle: LoginThrottle;
  mailer: Mailer;
  config: ImsConfig;
  /** Ends every session and token of an account (the OIDC provider's `revokeAccount`). */
  revokeSessions: (accountId: string) => Promise<void>;
}

/**
 * Self-service account flows of the embedded IMS. The rules that defeat account pre-hijacking:
 * - an unverified address never blocks anybody: sign-up always creates a fresh account;
 * - a mailed link alone never verifies or attaches an address: the account's password must be entered too, so a
 *   squatter's link clicked by the real owner does nothing;
 * - when someone proves an address, every squatting unverified account and pending change for it is voided and
 *   their sessions ended; a password reset ends every session of the account;
 * - password reset only exists for verified accounts.
 */
export function createAccountService(deps: AccountServiceDeps) {
  const { directory, links, throttle, mailer, config } = deps;
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
      const emailNorm = normalizeEmail(input.email);
      const passwordHash = await hashPassword(input.password);
      if (await directory.findVerifiedAccount(emailNorm)) {
        await mailer.send(accountMails.alreadyRegistered({
          to: input.email.trim(), product: config.productName, resetLink: url('/ims/account/reset'), key: `ims:already-registered:${crypto.randomUUID()}`,
        }));
        return;
      }
      const userNameFree = !(await directory.findAccountByUserName(input.email));
      const id = crypto.randomUUID();
      const account = await directory.createAccount({
        id,
        email: input.email,
        firstName: input.firstName,
        lastName: input.lastName,
        passwordHash,
        // Two pending sign-ups for one address must not collide on userName.
        userName: userNameFree ? input.email.trim() : id,
      });
      await sendVerification(account);
    },

    async resendVerification(accountId: string): Promise<void> {
      const account = await directory.getAccount(accountId);
      if (account && !account.emailVerified) await sendVerification(account);
    },

    signIn,

    /**
     * Records an address proven elsewhere (an organization's upstream said `email_verified: true`) with the same
     * effects as a confirmed link: other unverified claims on it and their sessions end.
     */
    claimVerifiedAddress: claimAddress,

    peekLink: links.peek,

    /** Completes email verification: the link plus the account's password (see the rules above). */
    async confirmEmail(token: string, password: string, ip: string): Promise<ImsAccountRecord> {
      const grant = await links.peek(token, 'verify_email');
      const account = await directory.getAccount(grant.accountId);
      if (!account || normalizeEmail(account.email) !== normalizeEmail(grant.email)) throw new ImsError('token_invalid', 'This link no longer applies.');
      await requirePassword(account, password, ip);
      await links.consume(token, 'verify_email');
      return claimAddress(account.id, grant.email);
    },

    async requestPasswordReset(email: string): Promise<void> {
      const account = await directory.findVerifiedAccount(email);
      if (!account) {
        await mailer.send(accountMails.noVerifiedAccount({
          to: email.trim(), product: config.productName, signupLink: url('/ims/account/signup'), key: `ims:no-account:${crypto.randomUUID()}`,
        }));
        return;
      }
      await links.revokeForAccount(account.id, 'reset_password');
      const { id, token } = await links.issue('reset_password', account.id, account.email, config.ttl.resetPasswordLink);
      await mailer.send(accountMails.resetPassword({
        to: account.email, product: config.productName, link: url(`/ims/account/reset/confirm?token=${token}`), key: `ims:reset-password:${id}`,
      }));
    },

    async resetPassword(token: string, newPassword: string): Promise<ImsAccountRecord> {
      const passwordHash = await hashPassword(newPassword);
      const grant = await links.consume(token, 'reset_password');
      const account = await directory.getAccount(grant.accountId);
      if (!account || !account.emailVerified || account.emailNormalized !== normalizeEmail(grant.email)) {
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
      const newNorm = normalizeEmail(input.newEmail);
      if (newNorm === account.emailNormalized) throw new ImsError('invalid_input', 'That is already your email.');
      await links.revokeForAccount(account.id, 'change_email');
      const { id, token } = await links.issue('change_email', account.id, input.newEmail, config.ttl.verifyEmailLink);
      await mailer.send(accountMails.confirmEmailChange({
        to: input.newEmail.trim(), product: config.productName, link: url(`/ims/account/email/confirm?token=${token}`), key: `ims:change-email:${id}`,
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

  /** Password sign-in. Verified accounts first; unverified accounts may sign in (their tokens say so). */
  async function signIn(email: string, password: string, ip: string): Promise<ImsAccountRecord> {
    const emailNorm = normalizeEmail(email);
    await throttle.check(emailNorm, ip);
    const candidates = (await directory.findAccountsByEmail(emailNorm))
      .filter((a) => a.type !== 'federated' && a.passwordHash)
      .sort((a, b) => Number(b.emailVerified) - Number(a.emailVerified));
    for (const account of candidates) {
      if (await verifyPassword(account.passwordHash, password)) {
        if (account.status !== 'active') throw new ImsError('account_disabled', 'This account is disabled. Contact your administrator.');
        await throttle.recordSuccess(emailNorm);
        return account;
      }
    }
    if (candidates.length === 0) await verifyPassword(null, password);
    await throttle.recordFailure(emailNorm, ip);
    throw new ImsError('invalid_credentials', 'The email or password is not right.');
  }

  async function sendVerification(account: ImsAccountRecord): Promise<void> {
    const { id, token } = await links.issue('verify_email', account.id, account.email, config.ttl.verifyEmailLink);
    await mailer.send(accountMails.verifyEmail({
      to: account.email, product: config.productName, link: url(`/ims/account/verify?token=${token}`), key: `ims:verify-email:${id}`,
    }));
  }
}

export type AccountService = ReturnType<typeof createAccountService>;
