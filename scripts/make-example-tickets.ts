// Regenerates examples/acme/tickets.jsonl: 60 support tickets of the production subscription, from its users
// (examples/acme/users.csv), deterministically. Most submitters will migrate; some will not (blocked and unverified
// users the README walk-through skips, deactivated and API-only users), so phase 3 shows both attributions.
// Messages mix the submitter, a colleague and the product's support staff (author null).
import { writeFileSync } from 'node:fs';
import { readProductUsers } from '../src/importers/product-users.ts';
import { readImsDirectory } from '../src/importers/ims-directory.ts';
import { readSubscription } from '../src/importers/subscription.ts';
import { planReadiness } from '../src/core/readiness/plan-readiness.ts';
import type { ReadinessStatus } from '../src/core/readiness/report.ts';

const dir = new URL('../examples/acme/', import.meta.url);
const subscription = readSubscription(new URL('subscription.json', dir).pathname);
const users = readProductUsers(new URL('users.csv', dir).pathname);
const accounts = readImsDirectory(new URL('ims-directory.csv', dir).pathname, { claimedDomains: subscription.imsOrg.claimedDomains });
const report = planReadiness({ subscriptions: [{ subscription, users }], ims: { accounts } });

const byStatus = new Map<ReadinessStatus, string[]>();
for (const u of [...report.users].sort((a, b) => a.id.localeCompare(b.id))) byStatus.set(u.status, [...(byStatus.get(u.status) ?? []), u.id]);

// mulberry32: a fixed seed gives the same file on every run.
let seed = 20261125;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

const SUBJECTS = [
  'Scheduled report arrives empty', 'Cannot share a dashboard with my team', 'Export to CSV times out', 'Bookmark to campaign view broken',
  'Workspace permissions look wrong', 'Email template loses its images', 'Partition filter ignored in report', 'Invite link expired',
  'Question about API rate limits', 'Segment count differs from last week', 'Two-factor prompt loops', 'Report subscription sent twice',
];
const USER_LINES = ['Steps: open the view, press Export, wait.', 'This blocks our Monday review.', 'Same here on my side.', 'Any update on this?', 'Attached the screenshot in the product.'];
const STAFF_LINES = ['Thanks, we are looking into it.', 'Could you tell us the workspace and time it happened?', 'A fix is rolling out this week.', 'Closing as solved; reply to reopen.'];
const STATUSES = ['open', 'pending', 'solved', 'closed'] as const;

// Who submits: 44 from users who migrate, the rest from those who will not (each group is named in the README).
const plan: [ReadinessStatus, number][] = [['eligible', 44], ['blocked', 5], ['needs_email_verification', 5], ['not_migrated', 4], ['stays_local', 2]];
const submitters = plan.flatMap(([status, n]) => Array.from({ length: n }, () => pick(byStatus.get(status) ?? [])));
const colleagues = byStatus.get('eligible') ?? [];

const lines: string[] = [];
const base = Date.UTC(2026, 5, 1, 8, 0, 0);
submitters.forEach((submitter, i) => {
  const created = base + Math.floor(random() * 150 * 86400) * 1000;
  const messages: { author: string | null; at: string; body: string }[] = [{ author: submitter, at: new Date(created).toISOString(), body: pick(USER_LINES) }];
  const replies = Math.floor(random() * 4);
  let t = created;
  for (let r = 0; r < replies; r++) {
    t += Math.floor(random() * 48 * 3600) * 1000;
    const who = random();
    messages.push({ author: who < 0.5 ? null : who < 0.8 ? submitter : pick(colleagues), at: new Date(t).toISOString(), body: pick(who < 0.5 ? STAFF_LINES : USER_LINES) });
  }
  lines.push(JSON.stringify({ id: `SR-${10001 + i}`, subject: pick(SUBJECTS), submitter, status: pick(STATUSES), created: new Date(created).toISOString(), messages }));
});
// Shuffle by a fixed permutation so the groups are not in file order.
const order = lines.map((_, i) => i).sort((a, b) => ((a * 37) % 61) - ((b * 37) % 61));
writeFileSync(new URL('tickets.jsonl', dir), `${order.map((i) => lines[i]).join('\n')}\n`);
console.log(`examples/acme/tickets.jsonl: ${lines.length} tickets (${plan.map(([s, n]) => `${n} ${s}`).join(', ')})`);
