import type { ConsoleSession } from '../session.ts';
import { csrfField, html, subscriptionPath, type SafeHtml } from './layout.ts';
import { subscriptionStateWords } from '../../core/glossary/glossary.ts';
import { plural } from './labels.ts';
import { skippedAdminsSentence } from '../../core/glossary/admin-words.ts';

/** "Complete Migration" asks once more and says what confirmation means before anything happens. */
export function renderConfirmPage(input: { session: ConsoleSession; subscriptionId: string; state: string; skipped: number; migrated: number; skippedAdmins?: { count: number; names: string } }): SafeHtml {
  const status = subscriptionPath(input.subscriptionId, '/status');
  if (input.state !== 'awaiting_confirmation') {
    const where = subscriptionStateWords(input.state);
    return html`<p>The migration cannot be completed now. Where it stands: <strong>${where.label}.</strong> ${where.sentence}</p>
${['users_scheduled', 'users_in_progress', 'expired'].includes(input.state) ? html`<p>Complete Migration is possible once every user is migrated or skipped.</p>` : ''}
<p><a href="${status}">Back to Migration Status</a></p>`;
  }
  return html`
<p>Every user is accounted for: ${plural(input.migrated, 'user')} migrated, ${plural(input.skipped, 'user')} skipped.</p>
<h2>What completing the migration means</h2>
<ul>
<li>The migration ends and cannot be rolled back.</li>
<li><strong>${plural(input.skipped, 'skipped user')} ${input.skipped === 1 ? 'loses' : 'lose'} access to the product.</strong> To let one back in later, a product admin adds them as a new user in the IMS.</li>
${input.skippedAdmins && input.skippedAdmins.count > 0 ? html`<li id="skipped-admins"><strong>${skippedAdminsSentence(input.skippedAdmins.names, input.skippedAdmins.count)}</strong></li>` : ''}
<li>Everyone else signs in with the IMS from now on. Support tickets move next.</li>
</ul>
<form method="post" action="${subscriptionPath(input.subscriptionId, '/confirm')}">${csrfField(input.session)}
<p><input type="checkbox" id="ack" name="acknowledge" value="yes" required> <label for="ack">I understand that ${plural(input.skipped, 'skipped user')} will lose access</label></p>
<div class="actions"><button type="submit">Confirm: complete the migration</button> <a class="button secondary" href="${status}">Cancel</a></div>
</form>`;
}
