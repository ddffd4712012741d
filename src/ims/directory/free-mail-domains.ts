import { ImsError } from './ims-directory.ts';

/**
 * Domains of public mail providers: anybody can get an address there, so no organization may claim one (its
 * users would become the org's enterprise accounts). Not every provider in the world, but the ones people sign up
 * with most; a subdomain of one is refused too.
 */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com',
  'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'passport.com',
  'hotmail.co.uk', 'hotmail.fr', 'hotmail.de', 'hotmail.it', 'hotmail.es', 'live.co.uk', 'live.fr', 'outlook.fr', 'outlook.de',
  'yahoo.com', 'ymail.com', 'rocketmail.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'yahoo.it', 'yahoo.es', 'yahoo.co.jp', 'yahoo.com.br',
  'icloud.com', 'me.com', 'mac.com',
  'aol.com', 'aim.com',
  'proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me',
  'gmx.com', 'gmx.net', 'gmx.de', 'web.de', 'mail.com', 'email.com',
  'zoho.com', 'zohomail.com', 'fastmail.com', 'hey.com', 'tutanota.com', 'tuta.io', 'mailbox.org', 'posteo.de',
  'yandex.com', 'yandex.ru', 'mail.ru', 'qq.com', '163.com', '126.com', 'naver.com',
  'free.fr', 'orange.fr', 'laposte.net', 't-online.de', 'libero.it',
]);

/** True for a public mail provider's domain or a subdomain of one (the domain in lower-case A-labels). */
export function isFreeMailDomain(asciiDomain: string): boolean {
  const labels = asciiDomain.split('.');
  for (let i = 0; i < labels.length - 1; i++) if (FREE_MAIL_DOMAINS.has(labels.slice(i).join('.'))) return true;
  return false;
}

/** Refuses a claim on a public mail provider's domain, whoever asks. */
export function rejectFreeMailDomain(asciiDomain: string): void {
  if (isFreeMailDomain(asciiDomain)) {
    throw new ImsError('free_mail_domain', `${asciiDomain} is a public mail provider's domain: anybody can have an address there, so no organization may claim it`);
  }
}
