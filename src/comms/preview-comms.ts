import type { Kysely } from 'kysely';
import { isAudience, isUnverified } from '../core/comms/plan-comms.ts';
import { LINK_TEMPLATES, type TemplateName } from '../core/comms/templates.ts';
import { MIGRATED_STATES } from '../core/migration/states.ts';
import { CommsError } from './comms-error.ts';
import { loadCommsState, type CommsRecipient } from './comms-repo.ts';
import { composeMail, mailValues, type ComposedMail, type MailContext } from './compose-mail.ts';
import type { TemplateSet } from './template-files.ts';

export interface MailPreview extends ComposedMail {
  to: string;
  userId: string | null;
  source: string;
}

const SAMPLE: Pick<CommsRecipient, 'email' | 'firstName' | 'lastName'> = { email: 'alex.example@example.invalid', firstName: 'Alex', lastName: 'Example' };

/**
 * Renders one template for one person (by default the first of its audience) without sending or issuing anything:
 * the verification link is a visibly fake one. `missing` lists placeholders a real send would refuse.
 */
export async function previewComms(opts: { db: Kysely<any>; templates: TemplateSet; context: MailContext; baseUrl: string; linkTtlHours: number; now: () => Date }, subscriptionId: string, template: TemplateName, userId?: string): Promise<MailPreview> {
  const state = await loadCommsState(opts.db, subscriptionId);
  let user: CommsRecipient | undefined;
  if (userId) {
    user = state.users.find((u) => u.userId === userId);
    if (!user) throw new CommsError('user_unknown', `no user ${userId} in the migration of ${subscriptionId}`);
  } else {
    user = state.users.find((u) => inAudience(template, u)) ?? state.users.find(isAudience);
  }
  const link = LINK_TEMPLATES.has(template) ? { url: `${opts.baseUrl.replace(/\/+$/, '')}/verify-email?token=PREVIEW-ONLY`, expiresAt: new Date(opts.now().getTime() + opts.linkTtlHours * 3_600_000).toISOString() } : undefined;
  const t = opts.templates[template];
  const context = { ...opts.context, baseUrl: opts.context.baseUrl ?? opts.baseUrl.replace(/\/+$/, '') };
  return { ...composeMail(t, mailValues(state, context, user ?? SAMPLE, link)), to: (user ?? SAMPLE).email, userId: user?.userId ?? null, source: t.source };
}

function inAudience(template: TemplateName, u: CommsRecipient): boolean {
  if (!isAudience(u)) return false;
  if (template === 'verification' || template === 'verification_reminder') return isUnverified(u);
  if (template === 'after_migration') return MIGRATED_STATES.has(u.state);
  return true;
}
