import type { EngageDb } from '../db/engage-db.ts';
import type { SessionKind } from '../auth/sessions.ts';
import { html, inlineScript, layout, type SafeHtml } from '../http/html.ts';
import { newAppFragment, type EngageSubscription } from '../users/subscriptions.ts';
import type { EngageUser } from '../users/user-records.ts';

/**
 * Both URL shapes carry the asset last in the fragment: `#RP1234A1` (old) and
 * `#/@acme/so:123-ABC-456/engage/RP1234A1` (new). The page marks that asset and scrolls to it; an asset this user
 * cannot see (removed, or in a workspace they have no access to) gets a message saying so and where to go instead.
 * On the new shell, an old-shaped fragment (an old URL the server moved here) is shown as the new address. It runs
 * again when the fragment changes (a link to another asset within the page).
 */
export const ASSET_SCRIPT = inlineScript(
  `const w=document.getElementById('who');function show(){const h=location.hash.slice(1);let a='';try{a=decodeURIComponent(h.split('/').pop()||'')}catch(x){}`
  + `if(a&&h.indexOf('/')<0&&location.pathname==='/'&&w.dataset.shell)history.replaceState(null,'',w.dataset.shell+h);`
  + `for(const c of document.querySelectorAll('.current'))c.classList.remove('current');`
  + `const e=a&&document.getElementById('asset-'+a);document.getElementById('asset-line').hidden=!e;document.getElementById('asset-missing').hidden=!a||!!e;`
  + `if(e){e.classList.add('current');e.scrollIntoView();document.getElementById('current-asset').textContent=a;}`
  + `else if(a){document.getElementById('missing-asset').textContent=a;}}show();addEventListener('hashchange',show);`,
);

interface ReportRow {
  id: string;
  name: string;
  workspace: string;
}

export function visibleReports(db: EngageDb, user: EngageUser): ReportRow[] {
  const workspaces = [...new Set(user.access.map((a) => a.workspace))];
  const all = db.sqlite.prepare(`SELECT r.id, r.name, w.name AS workspace FROM reports r JOIN workspaces w ON w.id = r.workspace_id
    WHERE r.subscription_id = ? ORDER BY r.id`).all(user.subscriptionId) as unknown as ReportRow[];
  return user.isAdmin ? all : all.filter((r) => workspaces.includes(r.workspace));
}

export function homePage(db: EngageDb, subscription: EngageSubscription, user: EngageUser, kind: SessionKind, logoutAction: string, banner?: SafeHtml): string {
  const bookmarks = db.sqlite.prepare('SELECT title, url FROM bookmarks WHERE user_id = ? ORDER BY id').all(user.id) as unknown as { title: string; url: string }[];
  const reportSubs = db.sqlite.prepare('SELECT report_id, schedule, subject FROM report_subscriptions WHERE user_id = ? ORDER BY id').all(user.id) as unknown as
    { report_id: string; schedule: string; subject: string }[];
  const body = html`<div class="card missing" id="asset-missing" role="alert" hidden><h2>This report is not available to you</h2>
<p>The link you followed points to <code id="missing-asset"></code>, which you cannot open: it may have been removed, or it
belongs to a workspace you have no access to.</p>
<p>Pick one of your reports below, or ask your ${subscription.name} administrators for access.</p></div>
<div class="card" id="who" data-shell="/${newAppFragment(subscription)}"><h1>${subscription.name}</h1>
<p>Signed in as <strong data-user-id="${user.id}">${user.firstName} ${user.lastName}</strong> (${user.email})
 with <span id="signed-in-with">${kind === 'ims' ? 'IMS' : 'password'}</span>. Subscription <code>${subscription.id}</code>.
 <span id="asset-line" hidden>Opened from your link: <span id="current-asset"></span>.</span></p>
<form method="post" action="${logoutAction}"><button type="submit">Sign out</button></form></div>
<div class="card"><h2>Your access</h2><table id="access"><thead><tr><th>Workspace</th><th>Partition</th><th>Role</th></tr></thead><tbody>
${user.access.map((a) => html`<tr><td>${a.workspace}</td><td>${a.partition}</td><td>${a.role}</td></tr>`)}</tbody></table></div>
<div class="card" id="reports"><h2>Reports</h2><ul>${visibleReports(db, user).map((r) => html`<li id="asset-${r.id}">${r.name} <code>${r.id}</code> · ${r.workspace}</li>`)}</ul></div>
<div class="card"><h2>Report subscriptions</h2><ul>${reportSubs.map((s) => html`<li>${s.subject} (${s.schedule}, report ${s.report_id})</li>`)}</ul></div>
<div class="card"><h2>Bookmarks</h2><ul>${bookmarks.map((b) => html`<li><a href="${b.url}">${b.title}</a></li>`)}</ul></div>`;
  return layout(subscription.name, body, { script: ASSET_SCRIPT.tag, ...(banner ? { banner } : {}) });
}
