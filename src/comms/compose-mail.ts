import { formatDateTime, formatLongDate } from '../core/comms/local-time.ts';
import { mailDocument } from '../core/comms/mail-document.ts';
import { helpPageUrl } from '../core/comms/migration-notice.ts';
import { missingValues, renderTemplate, type RenderedMail } from '../core/comms/render-template.ts';
import { textToHtml } from '../core/comms/text-to-html.ts';
import type { MailTemplate, PlaceholderName, TemplateValues } from '../core/comms/templates.ts';
import { adminNames, type CommsRecipient, type CommsState } from './comms-repo.ts';

/** Values that are the same for every mail of one subscription. */
export interface MailContext {
  imsName: string;
  brandText: string;
  productUrl: string | null;
  /** Rehome's public URL, where the subscription's help page is (`{{help_url}}`); absent: no help link. */
  baseUrl?: string;
}

/** The placeholder values for one person (`link` only for verification mails). */
export function mailValues(state: CommsState, ctx: MailContext, user: Pick<CommsRecipient, 'email' | 'firstName' | 'lastName'>, link?: { url: string; expiresAt: string }): TemplateValues {
  const m = state.migration;
  const tz = m.timeZone;
  const admins = adminNames(state.users);
  return {
    first_name: user.firstName || user.email.split('@')[0]!,
    last_name: user.lastName,
    email: user.email,
    subscription_id: m.subscriptionId,
    subscription_name: state.subscriptionName,
    ims_name: ctx.imsName,
    brand_text: ctx.brandText,
    migration_date: m.startsAt ? formatLongDate(new Date(m.startsAt), tz) : null,
    migration_start: m.startsAt ? formatDateTime(new Date(m.startsAt), tz) : null,
    time_zone: tz,
    window_ends: m.windowExpiresAt ? formatDateTime(new Date(m.windowExpiresAt), tz) : null,
    verify_link: link?.url ?? null,
    link_expires: link ? formatDateTime(new Date(link.expiresAt), tz) : null,
    product_url: ctx.productUrl,
    admins: admins.length > 0 ? joinNames(admins) : `the ${state.subscriptionName} administrators`,
    help_url: ctx.baseUrl ? helpPageUrl(ctx.baseUrl, m.subscriptionId) : null,
  };
}

/** "Ada Hopper, Tim Nørgaard and Ken Lamarr". */
export function joinNames(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

export interface ComposedMail extends RenderedMail {
  /** Always present: the template's HTML, or its text as HTML. */
  html: string;
  missing: PlaceholderName[];
}

/**
 * Renders a template with both parts: its HTML wrapped in the mail document, or, for a template written as text
 * only (an override without `<name>.html`), the text's HTML form, so every mail has a plain-text and an HTML part.
 */
export function composeMail(template: MailTemplate, values: TemplateValues): ComposedMail {
  const rendered = renderTemplate(template, values);
  return {
    ...rendered,
    html: mailDocument(rendered.subject, rendered.html ?? textToHtml(rendered.text)),
    missing: missingValues(template, values),
  };
}
