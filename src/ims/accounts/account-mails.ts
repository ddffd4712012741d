import type { MailMessage } from '../../mail/mailer.ts';

/** Texts of the mails the IMS sends. Plain text first; every link is absolute and single-use. */
export const accountMails = {
  verifyEmail: (p: { to: string; product: string; link: string; key: string }): MailMessage => ({
    to: p.to,
    key: p.key,
    subject: `Confirm your email for ${p.product}`,
    text: `Someone signed up for ${p.product} with this address.\n\nIf it was you, open this link and confirm with the password you chose:\n${p.link}\n\nIf it was not you, ignore this mail: nobody can use this address without the link and that password, and your own sign-up stays possible.`,
  }),
  alreadyRegistered: (p: { to: string; product: string; resetLink: string; key: string }): MailMessage => ({
    to: p.to,
    key: p.key,
    subject: `You already have a ${p.product} account`,
    text: `Someone tried to sign up for ${p.product} with this address, which already has a verified account.\n\nSign in as usual, or reset your password here:\n${p.resetLink}`,
  }),
  resetPassword: (p: { to: string; product: string; link: string; key: string }): MailMessage => ({
    to: p.to,
    key: p.key,
    subject: `Reset your ${p.product} password`,
    text: `Open this link to choose a new password:\n${p.link}\n\nIf you did not ask for it, ignore this mail; your password stays as it is.`,
  }),
  noVerifiedAccount: (p: { to: string; product: string; signupLink: string; key: string }): MailMessage => ({
    to: p.to,
    key: p.key,
    subject: `Password reset for ${p.product}`,
    text: `Someone asked to reset the ${p.product} password of this address, but no verified account uses it.\n\nCreate one here:\n${p.signupLink}`,
  }),
  confirmEmailChange: (p: { to: string; product: string; link: string; key: string }): MailMessage => ({
    to: p.to,
    key: p.key,
    subject: `Confirm your new email for ${p.product}`,
    text: `Open this link and confirm with your password to make this your ${p.product} sign-in address:\n${p.link}\n\nIf you did not ask for it, ignore this mail.`,
  }),
  emailChanged: (p: { to: string; product: string; newEmail: string; key: string }): MailMessage => ({
    to: p.to,
    key: p.key,
    subject: `Your ${p.product} email was changed`,
    text: `The sign-in address of your ${p.product} account is now ${p.newEmail}. If you did not do this, reset your password and contact your administrator.`,
  }),
  invitation: (p: { to: string; product: string; link: string; key: string; days: number; signInHint: string }): MailMessage => ({
    to: p.to,
    key: p.key,
    subject: `Set your password for ${p.product}`,
    text: `Your ${p.product} account is ready. Open this link to choose your password:\n${p.link}\n\nThe link works once and for ${p.days} day${p.days === 1 ? '' : 's'}. Choosing a password also confirms this email address. Afterwards, sign in with "${p.signInHint}".\n\nIf the link has expired, use "Forgot your password?" on the sign-in page to get a new one.`,
  }),
  signUpCancelled: (p: { to: string; product: string; key: string }): MailMessage => ({
    to: p.to,
    key: p.key,
    subject: `Your unconfirmed ${p.product} sign-up was cancelled`,
    text: `Someone signed up for ${p.product} with this address but never confirmed it. An organization you belong to has now created a ${p.product} account for this address, so that unconfirmed sign-up was cancelled: an unconfirmed sign-up never holds an address.\n\nIf the sign-up was yours, nothing is lost: watch for the invitation from your organization and choose your password there. If it was not yours, nothing else happens.`,
  }),
};
