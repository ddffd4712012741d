import { html, page, type SafeHtml } from '../http/html.ts';

/** The pages a person meets after clicking a verification link: plain, accessible HTML, no script. */
export interface PageInfo {
  imsName: string;
  brandText: string;
  subscriptionName?: string;
  /** "Saturday 5 December 2026", when the migration is scheduled. */
  migrationDate?: string | null;
  admins?: string | null;
  /** The subscription's "What changes for me" page. */
  helpUrl?: string | null;
}

const help = (p: PageInfo): SafeHtml => p.helpUrl ? html`<p><a href="${p.helpUrl}">What changes for you, and when</a></p>` : html``;

const ask = (p: PageInfo): SafeHtml => p.admins
  ? html`<p>Your administrators can also send you a new link from the migration console: ${p.admins}.</p>`
  : html`<p>Your administrators can also send you a new link from the migration console.</p>`;

export function confirmPage(p: PageInfo, token: string): string {
  return page({
    title: 'Verify your email address', productName: p.imsName,
    body: html`<p>Confirm that this is your address${p.subscriptionName ? html` for ${p.subscriptionName}` : ''}, so your account can move to ${p.imsName}.</p>
<form method="post" action="/verify-email">
<input type="hidden" name="token" value="${token}">
<button type="submit">Verify my email address</button>
</form>
${help(p)}`,
  });
}

export function verifiedPage(p: PageInfo, outcome: { held: number; eligible: number }): string {
  const when = p.migrationDate ? html`from ${p.migrationDate}` : html`from the migration date your administrators set (a mail will tell you)`;
  const body = outcome.eligible === 0 && outcome.held > 0
    ? html`<p>Your administrators still have to settle something else about your account before it can move to ${p.imsName}; they see what in the migration console. You do not need to do anything now.</p>`
    : html`<p>You will be able to sign in with ${p.imsName} ${when}: choose “${p.brandText}”. Until then, sign in as you do today.</p>`;
  return page({ title: 'Your address is verified', productName: p.imsName, notice: 'Your email address is verified.', body: html`${body}${help(p)}` });
}

export function alreadyUsedPage(p: PageInfo, verifiedOn: string | null): string {
  return page({
    title: 'This link was already used', productName: p.imsName,
    body: verifiedOn
      ? html`<p>Your address was verified on ${verifiedOn}. There is nothing more to do.</p>${help(p)}`
      : html`<p>Each link works once. If your address still shows as unverified, open the newest verification mail, or ask for a new link.</p>${ask(p)}${help(p)}`,
  });
}

export function expiredPage(p: PageInfo, token: string, canResend: boolean): string {
  return page({
    title: 'This link has expired', productName: p.imsName,
    error: 'Verification links work for a limited time, and this one has run out.',
    body: html`${canResend ? html`<p>We can send a new link to the address on your account.</p>
<form method="post" action="/verify-email/resend">
<input type="hidden" name="token" value="${token}">
<button type="submit">Send me a new link</button>
</form>` : ''}${ask(p)}${help(p)}`,
  });
}

export function addressChangedPage(p: PageInfo): string {
  return page({
    title: 'This link is for an old address', productName: p.imsName,
    error: 'Your email address changed after this link was sent, so the link cannot verify it.',
    body: html`<p>Use the link in the mail sent to your current address, or ask for a new one.</p>${ask(p)}${help(p)}`,
  });
}

export function invalidPage(imsName: string): string {
  return page({
    title: 'This link is not valid', productName: imsName,
    error: 'The link is incomplete or was changed. Copy the whole link from the mail, or ask for a new one.',
    body: html`<p>Your administrators can send you a new verification link from the migration console.</p>`,
  });
}

export function resentPage(p: PageInfo, result: 'sent' | 'recently_sent' | 'not_needed'): string {
  if (result === 'not_needed') return page({ title: 'Your address is already verified', productName: p.imsName, notice: 'There is nothing more to do.', body: html`` });
  return page({
    title: result === 'sent' ? 'A new link is on its way' : 'A new link was sent a moment ago', productName: p.imsName,
    notice: 'Check your inbox (and the spam folder) for a mail with a new verification link.',
    body: html`<p>The new link works once and for a limited time.</p>${help(p)}`,
  });
}
