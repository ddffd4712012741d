import { textAndHtml } from '../../core/comms/mail-document.ts';
import type { MailMessage } from '../../mail/mailer.ts';
import type { AccountSubscription, ProductHome } from './product-context.ts';

/**
 * Texts of the mails the IMS sends. Written as plain text; every mail carries that text and its HTML form (the same
 * words, links clickable). Every link is absolute and single-use.
 */
function mail(p: { to: string; key: string }, subject: string, text: string): MailMessage {
  return { to: p.to, key: p.key, subject, ...textAndHtml(subject, text) };
}

export interface InvitationMail {
  to: string;
  key: string;
  /** The identity system's name (`productName` of the IMS config), e.g. "Acme ID". */
  imsName: string;
  link: string;
  days: number;
  /** The button people press in the product (`brandText`), e.g. "Continue with Acme ID". */
  signInHint: string;
  /** The product to go back to, when the IMS knows it. */
  product?: ProductHome | undefined;
  /** The subscription the account is for, when the IMS knows it. */
  subscription?: AccountSubscription | undefined;
  /** The subscription's "What changes for me" page. */
  helpUrl?: string | undefined;
}

export const accountMails = {
  verifyEmail: (p: { to: string; product: string; link: string; key: string }): MailMessage => mail(p,
    `Confirm your email for ${p.product}`,
    `Someone signed up for ${p.product} with this address.\n\nIf it was you, open this link and confirm with the password you chose:\n${p.link}\n\nIf it was not you, ignore this mail: nobody can use this address without the link and that password, and your own sign-up stays possible.`),
  alreadyRegistered: (p: { to: string; product: string; resetLink: string; key: string }): MailMessage => mail(p,
    `You already have a ${p.product} account`,
    `Someone tried to sign up for ${p.product} with this address, which already has a verified account.\n\nSign in as usual, or reset your password here:\n${p.resetLink}`),
  resetPassword: (p: { to: string; product: string; link: string; key: string }): MailMessage => mail(p,
    `Reset your ${p.product} password`,
    `Open this link to choose a new password:\n${p.link}\n\nIf you did not ask for it, ignore this mail; your password stays as it is.`),
  noVerifiedAccount: (p: { to: string; product: string; signupLink: string; key: string }): MailMessage => mail(p,
    `Password reset for ${p.product}`,
    `Someone asked to reset the ${p.product} password of this address, but no verified account uses it.\n\nCreate one here:\n${p.signupLink}`),
  confirmEmailChange: (p: { to: string; product: string; link: string; key: string }): MailMessage => mail(p,
    `Confirm your new email for ${p.product}`,
    `Open this link and confirm with your password to make this your ${p.product} sign-in address:\n${p.link}\n\nIf you did not ask for it, ignore this mail.`),
  emailChanged: (p: { to: string; product: string; newEmail: string; key: string }): MailMessage => mail(p,
    `Your ${p.product} email was changed`,
    `The sign-in address of your ${p.product} account is now ${p.newEmail}. If you did not do this, reset your password and contact your administrator.`),
  invitation: (p: InvitationMail): MailMessage => {
    const forWhat = p.product ? ` for ${p.product.name}${p.subscription ? ` (${p.subscription.name}, subscription ${p.subscription.id})` : ''}` : '';
    const afterwards = p.product
      ? `Afterwards, go to ${p.product.name} at ${p.product.url}, choose "${p.signInHint}" and sign in with ${p.to}.`
      : `Afterwards, sign in with "${p.signInHint}" and ${p.to}.`;
    return mail(p,
      p.product ? `Set your ${p.imsName} password for ${p.product.name}` : `Set your password for ${p.imsName}`,
      `Your ${p.imsName} account${forWhat} is ready. Open this link to choose your password:\n${p.link}\n\n`
      + `The link works once and for ${p.days} day${p.days === 1 ? '' : 's'}. Choosing a password also confirms this email address. ${afterwards}\n\n`
      + `If the link has expired, use "Forgot your password?" on the ${p.imsName} sign-in page to get a new one.`
      + (p.helpUrl ? `\n\nWhat changes for you, and when:\n${p.helpUrl}` : ''));
  },
  signUpCancelled: (p: { to: string; product: string; key: string }): MailMessage => mail(p,
    `Your unconfirmed ${p.product} sign-up was cancelled`,
    `Someone signed up for ${p.product} with this address but never confirmed it. An organization you belong to has now created a ${p.product} account for this address, so that unconfirmed sign-up was cancelled: an unconfirmed sign-up never holds an address.\n\nIf the sign-up was yours, nothing is lost: watch for the invitation from your organization and choose your password there. If it was not yours, nothing else happens.`),
};
