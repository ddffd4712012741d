import type { MigrationNotice } from '../core/comms/migration-notice.ts';
import { html, page, type SafeHtml } from '../http/html.ts';

/**
 * "What changes for me": one public page per subscription (`/help/<id>`), linked from every mail, the IMS pages of
 * the journey and the product's banner. Anyone with the link may read it, so it says only what the announcement
 * says to everyone: the date, what to do, where to go. It never names a person (not even the admins: "your
 * administrators", or the contact the config gives) and never shows counts or states of users.
 */
export interface HelpPageSettings {
  /** The identity system's name (`ims.productName`), e.g. "Acme ID". */
  imsName: string;
  /** The button people press (`ims.brandText`), e.g. "Continue with Acme ID". */
  brandText: string;
  /** The product's name (`comms.productName`), e.g. "Engage"; null: the subscription's name stands for it. */
  productName: string | null;
  /** Where the product lives after the move (`comms.productUrl`). */
  productUrl: string | null;
  /** Who to ask (`comms.helpContact`); null: "your <product> administrators". */
  contact: string | null;
}

export function renderHelpPage(notice: MigrationNotice, s: HelpPageSettings): string {
  const product = s.productName ?? notice.subscriptionName;
  return page({
    title: `${notice.subscriptionName}: what changes for you`,
    productName: product,
    body: html`${when(notice, s)}
${notice.phase === 'moved' ? '' : before(notice, s)}
${signIn(s, product)}
${newAddress(notice, s, product)}
${links(product)}
<h2>What stays the same</h2>
<ul>
<li>Your roles, workspaces and partitions.</li>
<li>Your content: campaigns, reports, assets.</li>
<li>Integrations that use API-only users keep their credentials and keep working.</li>
</ul>
${whoToAsk(s, product)}`,
  });
}

/** The page for a subscription Rehome does not know (a mistyped link): the general story, no date. */
export function renderUnknownHelpPage(s: HelpPageSettings): string {
  const product = s.productName ?? 'the product';
  return page({
    title: 'What changes for you',
    productName: s.productName ?? s.imsName,
    error: 'This help page does not exist. Check the link in your mail, or ask who sent it.',
    body: html`<p>When a subscription moves its sign-in to ${s.imsName}, you sign in with “${s.brandText}” and your work email address
instead of a password kept by ${product}. Your mails about the move give the date and the link to your subscription's page.</p>
${whoToAsk(s, product)}`,
  });
}

function when(n: MigrationNotice, s: HelpPageSettings): SafeHtml {
  switch (n.phase) {
    case 'announced':
      return html`<p><strong>${n.subscriptionName}</strong> moves its sign-in to ${s.imsName}, the company-wide sign-in, on
<strong id="migration-date">${n.dateText}</strong>. The move starts at ${n.startText} (time zone ${n.timeZone}).</p>`;
    case 'moving':
      return html`<p><strong>${n.subscriptionName}</strong> is moving its sign-in to ${s.imsName} since
<strong id="migration-date">${n.dateText}</strong>. Accounts move one after the other, administrators first; you get a
mail when yours has moved. Until then, sign in as you did before.</p>`;
    case 'moved':
      return html`<p><strong>${n.subscriptionName}</strong> moved its sign-in to ${s.imsName} on
<strong id="migration-date">${n.dateText}</strong>.</p>`;
    case 'not_announced':
      return html`<p><strong>${n.subscriptionName}</strong> will move its sign-in to ${s.imsName}, the company-wide sign-in.
<span id="migration-date">No date is set yet</span>: a mail tells you the date at least a week before. Until then, sign in as you do today.</p>`;
  }
}

function before(n: MigrationNotice, s: HelpPageSettings): SafeHtml {
  return html`<h2>Before the move: verify your email address</h2>
<p>Your account can move only once we know that your email address is yours.</p>
<ol>
<li>Look for the mail “Please verify your email address for ${n.subscriptionName}”. No such mail? Then your address is verified and there is nothing to do.</li>
<li>Open the link in it and press “Verify my email address”. If the link has expired, open it anyway: the page lets you ask for a new one.</li>
</ol>
<p>An address that is still not verified when the move ends cannot move: its account loses access to ${n.subscriptionName}
until an administrator adds it again in ${s.imsName}.</p>`;
}

function signIn(s: HelpPageSettings, product: string): SafeHtml {
  return html`<h2>After the move: how to sign in</h2>
<ol>
<li>Go to ${s.productUrl ? html`<a href="${s.productUrl}">${s.productUrl}</a>` : product}.</li>
<li>Choose <strong>“${s.brandText}”</strong>.</li>
<li>Sign in with your work email address. If ${s.imsName} sent you an invitation to set a password, do that first;
forgot it? Use “Forgot your password?” on the ${s.imsName} sign-in page.</li>
</ol>
<p>Your old ${product} password stops working once your account has moved. You may be signed out once.</p>`;
}

function newAddress(n: MigrationNotice, s: HelpPageSettings, product: string): SafeHtml {
  const moved = n.phase === 'moving' || n.phase === 'moved';
  return html`<h2>The new address</h2>
${s.productUrl
    ? html`<p>${product} ${moved ? 'now lives' : 'will live'} at <a href="${s.productUrl}">${s.productUrl}</a>${moved ? '' : ' after the move'}.</p>`
    : html`<p>${product} gets a new address; your administrators tell you which.</p>`}`;
}

function links(product: string): SafeHtml {
  return html`<h2>Bookmarks and report subscriptions</h2>
<ul>
<li>Old links and bookmarks keep working: they take you to the same page at the new address (sign in first if asked).
Update your browser bookmarks when you can.</li>
<li>Report subscriptions keep arriving. Their links, and the bookmarks and links saved inside ${product}, are moved to
the new address by your administrators.</li>
<li>Links you copied into your own documents or mails: open them once and copy the new address from your browser.</li>
</ul>`;
}

function whoToAsk(s: HelpPageSettings, product: string): SafeHtml {
  return html`<h2>Who to ask</h2>
<p id="who-to-ask">${s.contact ? html`Ask ${s.contact}.` : html`Ask your ${product} administrators.`}</p>`;
}
