import type { ServerResponse } from 'node:http';
import { addDays, isScheduleLocked, localDate } from '../../core/migration/schedule.ts';
import { countUsersByState, errorsByCode, migrationDb } from '../../engine/migration-repo.ts';
import type { SubscriptionRef } from '../authz.ts';
import { auditActions, auditPeople, parseAuditQuery, queryAudit } from '../audit-query.ts';
import { fullName, listPeople } from '../../core/glossary/people.ts';
import type { ConsoleContext, SubscriptionRequest } from '../console-context.ts';
import { sendPage } from '../console-http.ts';
import { liveView, loadLiveStatus } from '../live-status.ts';
import { parseReadinessQuery } from '../readiness-filter.ts';
import { parseUserTableQuery, queryUserTable } from '../user-table.ts';
import { renderAuditPage } from '../pages/audit-page.ts';
import { renderConfirmPage } from '../pages/confirm-page.ts';
import { subscriptionStateLabel } from '../pages/labels.ts';
import { layout, subscriptionPath, type SafeHtml, type Tab } from '../pages/layout.ts';
import { renderOverviewPage, type DatePicker } from '../pages/overview-page.ts';
import { renderReadinessPage } from '../pages/readiness-page.ts';
import { renderStatusPage } from '../pages/status-page.ts';
import { renderUsersPage } from '../pages/users-page.ts';
import { apiClientsPage } from './api-client-routes.ts';
import { loadWaitingAdmins } from '../admins-waiting.ts';
import { supportPage } from './phase-three-routes.ts';

type PageRoute = (ctx: ConsoleContext, r: SubscriptionRequest, sub: SubscriptionRef) => Promise<{ title: string; tab: Tab; body: SafeHtml; live?: boolean }>;

/** The subscription's time zone: the plan's, else the imported subscription's, else UTC. */
async function timeZoneOf(ctx: ConsoleContext, subscriptionId: string): Promise<string> {
  return (await ctx.data.subscription(subscriptionId))?.timeZone ?? 'UTC';
}

const overview: PageRoute = async (ctx, r) => {
  const m = await ctx.data.migration(r.subscriptionId);
  const facts = m ? await ctx.data.plan(m) : undefined;
  const imported = await ctx.data.subscription(r.subscriptionId);
  const timeZone = facts?.plan.timeZone ?? imported?.timeZone ?? 'UTC';
  const readiness = await ctx.data.readiness(r.subscriptionId);
  const today = localDate(ctx.now(), timeZone);
  const blocking = (facts?.plan.prerequisites ?? []).filter((p) => p.blocking && !(p.code === 'consent_required' && m?.consent_at));
  const picker: DatePicker = {
    earliest: addDays(today, ctx.rules.minDaysAhead),
    latest: addDays(today, ctx.rules.maxDaysAhead),
    disabledBecause: !m ? 'Link the product first (above).'
      : !['product_linked', 'users_scheduled'].includes(m.state) ? 'The user migration has started: its date can no longer change.'
      : m.migration_date && isScheduleLocked({ date: m.migration_date, now: ctx.now(), timeZone, rules: ctx.rules }) ? `The date is locked: the migration starts in less than ${ctx.rules.lockHoursBefore} hours.`
      : blocking.length > 0 ? 'Resolve the prerequisites above first.' : null,
  };
  const orgId = imported?.imsOrg.id;
  const orgExists = !m && orgId ? await ctx.app.enginePorts({ orgId, subscriptionId: r.subscriptionId, actor: r.session.actor }).orgs.orgExists(orgId) : false;
  return {
    title: 'Overview', tab: 'overview',
    body: renderOverviewPage({
      session: r.session, subscriptionId: r.subscriptionId, timeZone, migration: m, plan: facts?.plan, readiness: readiness?.report.summary, picker, orgExists, rules: ctx.rules, now: ctx.now().toISOString(),
      ...(r.flash?.field?.name === 'date' ? { refusedDate: r.flash.field } : {}),
    }),
  };
};

const readiness: PageRoute = async (ctx, r) => {
  const [data, timeZone] = await Promise.all([ctx.data.readiness(r.subscriptionId), timeZoneOf(ctx, r.subscriptionId)]);
  return { title: 'Readiness', tab: 'readiness', body: renderReadinessPage({ subscriptionId: r.subscriptionId, report: data?.report, snapshotAt: data?.snapshotAt ?? null, query: parseReadinessQuery(r.url.searchParams), timeZone }) };
};

// The Migration Status and User Migration tabs read counters, one page of rows and their reason codes: never the
// plan (hundreds of megabytes at a million users), never every user.
const status: PageRoute = async (ctx, r) => {
  const m = await ctx.data.migration(r.subscriptionId);
  const timeZone = await ctx.data.timeZone(r.subscriptionId, m);
  const live = await loadLiveStatus(ctx.store.kysely, r.subscriptionId, ctx.runs.status(r.subscriptionId));
  const errors = m ? await errorsByCode(migrationDb(ctx.store.kysely), r.subscriptionId) : [];
  return {
    title: 'Migration Status', tab: 'status', live: true,
    body: renderStatusPage({ session: r.session, subscriptionId: r.subscriptionId, migration: m, timeZone, live, view: liveView(live, { state: subscriptionStateLabel }), errors, rules: ctx.rules, now: ctx.now().toISOString() }),
  };
};

const users: PageRoute = async (ctx, r) => {
  const m = await ctx.data.migration(r.subscriptionId);
  const query = parseUserTableQuery(r.url.searchParams);
  const [page, counts, timeZone, admins] = await Promise.all([
    queryUserTable(ctx.store.kysely, ctx.store.dialect, r.subscriptionId, query), countUsersByState(migrationDb(ctx.store.kysely), r.subscriptionId), ctx.data.timeZone(r.subscriptionId, m),
    m ? loadWaitingAdmins(ctx.store.kysely, r.subscriptionId) : undefined,
  ]);
  return {
    title: 'User Migration', tab: 'users', live: true,
    body: renderUsersPage({ session: r.session, subscriptionId: r.subscriptionId, timeZone, query, page, eligible: counts.eligible ?? 0, planned: Boolean(m), ...(admins ? { admins } : {}) }),
  };
};

const confirm: PageRoute = async (ctx, r) => {
  const live = await loadLiveStatus(ctx.store.kysely, r.subscriptionId, ctx.runs.status(r.subscriptionId));
  const migrated = (live.byState.migrated ?? 0) + (live.byState.activated ?? 0);
  const admins = await migrationDb(ctx.store.kysely).selectFrom('mig_users').select(['user_id', 'first_name', 'last_name'])
    .where('subscription_id', '=', r.subscriptionId).where('admin', '=', 1).where('state', '=', 'skipped').orderBy('user_id').limit(100).execute();
  const skippedAdmins = { count: admins.length, names: listPeople(admins.map((a) => a.user_id), Object.fromEntries(admins.map((a) => [a.user_id, fullName(a.first_name, a.last_name)]))) };
  return { title: 'Complete Migration', tab: 'status', body: renderConfirmPage({ session: r.session, subscriptionId: r.subscriptionId, state: live.state ?? 'not_started', skipped: live.byState.skipped ?? 0, migrated, skippedAdmins }) };
};

// Phase 3 and the links: moving tickets, rewriting links, checking access, with their progress (phase-three-routes.ts).
const support: PageRoute = (ctx, r) => supportPage(ctx, r);

const audit: PageRoute = async (ctx, r) => {
  const query = parseAuditQuery(r.url.searchParams);
  const [{ rows, nextBefore }, actions, timeZone] = await Promise.all([queryAudit(ctx.store.kysely, r.subscriptionId, query), auditActions(ctx.store.kysely, r.subscriptionId), timeZoneOf(ctx, r.subscriptionId)]);
  const people = await auditPeople(ctx.store.kysely, r.subscriptionId, rows);
  return { title: 'Audit log', tab: 'audit', body: renderAuditPage({ subscriptionId: r.subscriptionId, timeZone, query, rows, nextBefore, actions, people }) };
};

// The org's provisioning credentials (Okta, Entra ID): the same functions as `rehome ims client`.
const apiClients: PageRoute = (ctx, r) => apiClientsPage(ctx, r);

export const PAGES: Record<string, PageRoute> = { '': overview, '/readiness': readiness, '/status': status, '/users': users, '/confirm': confirm, '/support': support, '/audit': audit, '/api-clients': apiClients };

export async function servePage(ctx: ConsoleContext, r: SubscriptionRequest, sub: SubscriptionRef, route: PageRoute, res: ServerResponse): Promise<void> {
  const flash = await ctx.sessions.takeFlash(r.session);
  const page = await route(ctx, { ...r, ...(flash ? { flash } : {}) }, sub);
  sendPage(res, 200, layout({
    title: page.title, session: r.session, subscription: sub, active: page.tab, flash, body: page.body,
    ...(page.live ? { live: subscriptionPath(sub.id, '/events') } : {}),
  }));
}
