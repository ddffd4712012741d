import { adminsHeldSentence } from '../core/glossary/admin-words.ts';
import { computeProgress, type MigrationProgress } from '../core/migration/progress.ts';
import { USER_STATES, type UserState } from '../core/migration/states.ts';
import { countUsersByState, getMigrationSummary, migrationDb } from '../engine/migration-repo.ts';
import type { Kysely } from 'kysely';
import type { RunStatus, TaskStatus } from './migration-runs.ts';

/** Everything the Migration Status tab shows that changes while users migrate; also the SSE message. */
export interface LiveStatus {
  state: string | null;
  progress: MigrationProgress;
  byState: Partial<Record<UserState, number>>;
  windowExpiresAt: string | null;
  extensions: number;
  run: RunStatus;
  /** Every user is migrated or skipped: Complete Migration may be offered. */
  canConfirm: boolean;
}

/** Reads the counters and the migration row without its plan: polled once a second per watcher, at any size. */
export async function loadLiveStatus(kysely: Kysely<any>, subscriptionId: string, run: RunStatus): Promise<LiveStatus> {
  const db = migrationDb(kysely);
  const m = await getMigrationSummary(db, subscriptionId);
  const byState = m ? await countUsersByState(db, subscriptionId) : {};
  return {
    state: m?.state ?? null,
    progress: computeProgress(byState),
    byState,
    windowExpiresAt: m?.window_expires_at ?? null,
    extensions: Number(m?.extensions ?? 0),
    run,
    canConfirm: m?.state === 'awaiting_confirmation',
  };
}

/** What the page's script writes into the page: texts, progress bar values, sections to show or hide. */
export interface LiveView {
  text: Record<string, string>;
  bars: Record<string, [number, number]>;
  show: Record<string, boolean>;
}

export function liveView(s: LiveStatus, labels: { state: (state: string | null) => string }): LiveView {
  const p = s.progress;
  const open = p.required - p.migration.done;
  const text: Record<string, string> = {
    state: labels.state(s.state),
    verification: verificationText(p),
    migration: `${p.migration.done.toLocaleString('en-US')} of ${p.migration.of.toLocaleString('en-US')} users migrated or skipped (${p.migration.percent}%)`,
    skipped: p.skipped.toLocaleString('en-US'),
    run: s.run.running
      ? `Migrating now: ${s.run.migrated} migrated, ${s.run.failed} failed so far${s.run.queued > 0 ? `; ${s.run.queued} more ${s.run.queued === 1 ? 'run' : 'runs'} queued` : ''}.`
      : s.run.lastError ? `The last run stopped: ${s.run.lastError}`
      : s.run.heldForAdmins ? `No migration is running. ${adminsHeldSentence(s.run.heldForAdmins.names, s.run.heldForAdmins.count)}` : 'No migration is running.',
    open: open === 0 ? 'Every user is migrated or skipped.' : `${open.toLocaleString('en-US')} ${open === 1 ? 'user is' : 'users are'} not yet migrated or skipped.`,
  };
  for (const state of USER_STATES) text[`count-${state}`] = (s.byState[state] ?? 0).toLocaleString('en-US');
  const view: LiveView = {
    text,
    bars: { verification: [p.verification.verified, p.required], migration: [p.migration.done, p.migration.of] },
    show: { canConfirm: s.canConfirm, cannotConfirm: !s.canConfirm && s.state !== 'confirmed', running: s.run.running },
  };
  if (s.run.task) addTask(view, s.run.task);
  return view;
}

/** What the page shows of a Support & links job, and the live view sends while it runs (keys `task-<kind>`). */
export function taskView(t: TaskStatus): { key: string; text: string; bar: [number, number] } {
  const count = (n: number) => n.toLocaleString('en-US');
  const text = t.active ? `${t.inProgress}${t.total > 0 ? `: ${count(t.done)} of ${count(t.total)}` : '…'}`
    : t.error ? `${t.inProgress} stopped: ${t.error}` : `${t.finished}.`;
  return { key: `task-${t.kind}`, text, bar: [t.active ? t.done : t.total, t.total] };
}

/**
 * A job's sentence and bar, whether it runs (`task-<kind>`), and whether the job numbered `seq` has ended
 * (`task-<seq>-ended`): a page that showed it running then offers its result; a page loaded later shows it anyway.
 */
function addTask(view: LiveView, t: TaskStatus): void {
  const { key, text, bar } = taskView(t);
  view.text[key] = text;
  view.bars[key] = bar;
  view.show[key] = t.active;
  view.show[`task-${t.seq}-ended`] = !t.active;
}

/**
 * "220 of 274 users verified, 50 skipped (80.2%)": out of everyone who must verify, so skipping the unverified does
 * not shrink the denominator into "220 of 220 (100%)".
 */
export function verificationText(p: MigrationProgress): string {
  const pct = verifiedPercent(p);
  const skipped = p.skipped > 0 ? `, ${p.skipped.toLocaleString('en-US')} skipped` : '';
  return `${p.verification.verified.toLocaleString('en-US')} of ${p.required.toLocaleString('en-US')} users verified${skipped} (${pct}%)`;
}

/** Verified users among everyone who must verify, skipped ones included (one decimal, rounded down). */
export function verifiedPercent(p: MigrationProgress): number {
  return p.required === 0 ? 100 : Math.floor((p.verification.verified / p.required) * 1000) / 10;
}
