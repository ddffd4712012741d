import type { ConsoleSession } from '../session.ts';
import { csrfField, html, subscriptionPath, type SafeHtml } from './layout.ts';
import { adminSkipQuestion } from '../../core/glossary/admin-words.ts';
import { plural } from './labels.ts';

export interface AdminSkipInput {
  session: ConsoleSession;
  subscriptionId: string;
  /** Every user of the selection (admins and others), posted again as they were. */
  userIds: string[];
  reason: string;
  /** The admins among them, as people ("Ken Lamarr (1003)"). */
  adminNames: string;
  adminCount: number;
  /** The User Migration page the form was on. */
  back: string;
}

/**
 * The second question before skipping admins (admins first): the first answer changed nothing; this form posts the
 * same selection again with `confirm_admins=yes`, the console's `rehome skip --confirm-admins`.
 */
export function renderAdminSkipPage(input: AdminSkipInput): SafeHtml {
  return html`
<section class="panel" aria-labelledby="admin-skip-h">
<h2 id="admin-skip-h">Skip ${input.adminCount === 1 ? 'an admin' : `${input.adminCount} admins`}?</h2>
<p id="admin-skip-why">${adminSkipQuestion(input.adminNames, input.adminCount)}</p>
<p>Nothing has changed yet. Skipping ${plural(input.userIds.length, 'selected user')}, for the reason “${input.reason}”.</p>
<form method="post" action="${subscriptionPath(input.subscriptionId, '/users/action')}">${csrfField(input.session)}
<input type="hidden" name="action" value="skip">
<input type="hidden" name="reason" value="${input.reason}">
<input type="hidden" name="return" value="${input.back}">
<input type="hidden" name="confirm_admins" value="yes">
${input.userIds.map((id) => html`<input type="hidden" name="user" value="${id}">`)}
<div class="actions"><button type="submit" class="danger">Skip, admins included</button> <a class="button secondary" href="${input.back}">Cancel</a></div>
</form>
</section>`;
}
