/** The terminal table of an access diff: one line per difference, losses first. */
import type { AccessGrant } from '../model.ts';
import type { AccessDiff, AccessDifference } from './diff-access.ts';

const grant = (g: AccessGrant) => `${g.workspace}/${g.partition}:${g.role}`;

export function describeDifference(d: AccessDifference): string {
  switch (d.kind) {
    case 'lost': return `lost ${grant(d.grant)}`;
    case 'gained': return `gained ${grant(d.grant)}`;
    case 'partition_reassigned': return `partition reassigned in ${d.workspace} (${d.role}): ${d.from} -> ${d.to}`;
    case 'role_changed': return `role changed in ${d.workspace}/${d.partition}: ${d.from} -> ${d.to}`;
    case 'status_changed': return `status ${d.from} -> ${d.to}`;
    case 'user_missing': return `user missing afterwards (had ${d.grants.map(grant).join('; ') || 'no grants'})`;
    case 'user_added': return `user added (${d.grants.map(grant).join('; ') || 'no grants'})`;
  }
}

export function renderAccessDiff(diff: AccessDiff, options: { limit?: number } = {}): string {
  const s = diff.summary;
  const limit = options.limit ?? 500;
  const lines = [
    `Access check: ${s.usersBefore} users before, ${s.usersAfter} after; ${s.unchanged} unchanged, ${s.bySeverity.loss} lost access, ${s.bySeverity.change} changed, ${s.bySeverity.gain} gained`,
  ];
  const kinds = Object.entries(s.byKind).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
  if (kinds.length > 0) lines.push(`Differences: ${kinds.join(', ')}`);
  let shown = 0;
  for (const user of diff.users) {
    if (shown >= limit) break;
    const who = `${user.severity.toUpperCase().padEnd(6)} ${user.userId}${user.email ? ` <${user.email}>` : ''}`;
    user.differences.forEach((d, i) => lines.push(`${i === 0 ? who : ''.padEnd(who.length)}  ${describeDifference(d)}`));
    shown++;
  }
  if (diff.users.length > shown) lines.push(`… ${diff.users.length - shown} more users (use --format json for all)`);
  lines.push(s.anyLoss ? 'Some users LOST access: restore it in the product before confirming the migration.' : 'Nobody lost access.');
  return `${lines.join('\n')}\n`;
}
