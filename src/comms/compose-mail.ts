import { formatDateTime, formatLongDate } from '../core/comms/local-time.ts';
import { escapeHtml, missingValues, renderTemplate, type RenderedMail } from '../core/comms/render-template.ts';
import type { MailTemplate, PlaceholderName, TemplateValues } from '../core/comms/templates.ts';
import { adminNames, type CommsRecipient, type CommsState } from './comms-repo.ts';

/** Values that are the same for every mail of one subscription. */
export interface MailContext {
  imsName: string;
  brandText: string;
  productUrl: string | null;
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
  };
}

/** "Ada Hopper, Tim Nørgaard and Ken Lamarr". */
export function joinNames(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

export interface ComposedMail extends RenderedMail {
  missing: PlaceholderName[];
}

/** Renders a template and wraps its HTML part in a minimal, accessible mail document. */
export function composeMail(template: MailTemplate, values: TemplateValues): ComposedMail {
  const rendered = renderTemplate(template, values);
  return {
    ...rendered,
    html: rendered.html === null ? null : mailDocument(rendered.subject, rendered.html),
    missing: missingValues(template, values),
  };
}

function mailDocument(subject: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:40rem;margin:0 auto;padding:1rem">
${body.trim()}
</body>
</html>
`;
}
