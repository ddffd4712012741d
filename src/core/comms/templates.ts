/**
 * The communication plan's messages and the placeholders their templates may use. A template naming a
 * placeholder outside this list is refused when it is loaded, so a typo never reaches anyone's inbox.
 */

export const TEMPLATE_NAMES = ['announcement', 'verification', 'verification_reminder', 'migration_day', 'after_migration'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

/** Templates whose mail carries a fresh verification link. */
export const LINK_TEMPLATES: ReadonlySet<TemplateName> = new Set(['verification', 'verification_reminder']);

export const PLACEHOLDERS = {
  first_name: 'The person\'s first name in the product.',
  last_name: 'The person\'s last name in the product.',
  email: 'The address this mail goes to (the one they sign in with).',
  subscription_id: 'The subscription id, e.g. 123-ABC-456.',
  subscription_name: 'The subscription\'s name, e.g. "Acme Marketing (production)".',
  ims_name: 'The identity system\'s name (`ims.productName`).',
  brand_text: 'The sign-in button people will press (`ims.brandText`, "Continue with IMS").',
  migration_date: 'The user-migration date, e.g. "Saturday 5 December 2026".',
  migration_start: 'When the move starts: local midnight of the migration date, with the time zone.',
  time_zone: 'The subscription\'s time zone (IANA name).',
  window_ends: 'The last day of the self-service window (unverified users can still verify until then).',
  verify_link: 'The signed, single-use verification link (verification mails only).',
  link_expires: 'When that link stops working, e.g. "8 December 2026, 09:00 PST".',
  product_url: 'Where the product lives after the move (`comms.productUrl`).',
  admins: 'The subscription admins\' names: who to ask.',
  help_url: 'The subscription\'s "What changes for me" page (`<server>/help/<subscription>`): date, what to do, how to sign in, who to ask.',
} as const;

export type PlaceholderName = keyof typeof PLACEHOLDERS;
export type TemplateValues = Partial<Record<PlaceholderName, string | null>>;

export function isPlaceholderName(name: string): name is PlaceholderName {
  return Object.hasOwn(PLACEHOLDERS, name);
}

/** One template: a subject line, a plain-text body and an optional HTML body (a fragment; the mail adds the shell). */
export interface MailTemplate {
  name: TemplateName;
  subject: string;
  text: string;
  html: string | null;
  /** Where it came from: `default` or the override file's path. */
  source: string;
}
