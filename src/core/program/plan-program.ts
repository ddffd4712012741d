import { addDays } from '../migration/schedule.ts';
import { choosePilot } from './choose-pilot.ts';
import { classifySubscription } from './classify-subscription.ts';
import { ProgramError } from './program-error.ts';
import type { ProgramEntry, ProgramMode, ProgramPlan, ProgramWave } from './program-plan.ts';
import type { SubscriptionFacts } from './subscription-facts.ts';

export interface ProgramOptions {
  /** The day the program starts (YYYY-MM-DD): the first wave's date is `leadDays` later. */
  start: string;
  /** Days from the start to the first date (`programLeadDays`: the scheduling rule and the comms lead times). */
  leadDays: number;
  /** Days between one wave's date and the next (a wave takes longer when its users need more days at the capacity). */
  waveDays: number;
  /** Users the program may move per day (`dailyCapacity`); null: no limit. */
  usersPerDay: number | null;
  /** Subscriptions in the pilot wave (0: no pilot wave). */
  pilot: number;
  /** `migration.automaticThreshold`. */
  automaticThreshold: number;
}

export const DEFAULT_WAVE_DAYS = 7;
export const DEFAULT_PILOT = 5;

/**
 * Pure and deterministic (the same facts in any order give the same plan): classifies each subscription, sets the
 * blocked ones aside, then fills waves in order: the pilot (a handful across sizes), the automatic subscriptions,
 * then the self-service ones, each by size (smallest first) and id. A wave takes subscriptions while their movable
 * users fit in `waveDays` days at the capacity; one that alone needs more gets a wave of its own, which lasts as
 * many days as its users need. Every subscription ends in exactly one wave or in `blocked`.
 */
export function planProgram(facts: readonly SubscriptionFacts[], options: ProgramOptions): ProgramPlan {
  checkOptions(options);
  rejectDuplicates(facts);
  const entries = [...facts].sort((a, b) => compareText(a.id, b.id)).map((f) => classifySubscription(f, options.automaticThreshold));
  const blocked = entries.filter((e) => e.blocked);
  const movable = entries.filter((e) => !e.blocked).sort(bySize);
  const pilot = choosePilot(movable, options.pilot);
  const inPilot = new Set(pilot);
  const rest = movable.filter((e) => !inPilot.has(e));
  const budget = options.usersPerDay === null ? null : options.usersPerDay * options.waveDays;
  const groups = [
    ...(pilot.length > 0 ? [pilot] : []),
    ...packWaves(rest.filter((e) => e.mode === 'automatic'), budget),
    ...packWaves(rest.filter((e) => e.mode === 'self_service'), budget),
  ];
  const waves: ProgramWave[] = [];
  let date = addDays(options.start, options.leadDays);
  let lastDay: string | null = null;
  for (const [i, subscriptions] of groups.entries()) {
    const days = waveLength(subscriptions, options);
    waves.push({ n: i + 1, start: date, subscriptions });
    lastDay = addDays(date, days - 1);
    date = addDays(date, days);
  }
  const scheduled = waves.flatMap((w) => w.subscriptions);
  return {
    waves,
    blocked,
    summary: {
      subscriptions: entries.length,
      users: entries.reduce((n, e) => n + e.users, 0),
      automatic: countMode(scheduled, 'automatic'),
      selfService: countMode(scheduled, 'self_service'),
      blocked: blocked.length,
      waves: waves.length,
      lastDay,
    },
  };
}

/** Days a wave lasts: `waveDays`, or as many as its movable users need at the capacity. */
export function waveLength(subscriptions: readonly ProgramEntry[], options: Pick<ProgramOptions, 'waveDays' | 'usersPerDay'>): number {
  if (options.usersPerDay === null) return options.waveDays;
  const users = subscriptions.reduce((n, e) => n + e.movable, 0);
  return Math.max(options.waveDays, Math.ceil(users / options.usersPerDay));
}

/** Greedy, in the given order: a wave closes when the next subscription's movable users would exceed the budget. */
function packWaves(entries: readonly ProgramEntry[], budget: number | null): ProgramEntry[][] {
  const waves: ProgramEntry[][] = [];
  let current: ProgramEntry[] = [];
  let used = 0;
  for (const e of entries) {
    if (current.length > 0 && budget !== null && used + e.movable > budget) {
      waves.push(current);
      current = [];
      used = 0;
    }
    current.push(e);
    used += e.movable;
  }
  if (current.length > 0) waves.push(current);
  return waves;
}

function bySize(a: ProgramEntry, b: ProgramEntry): number {
  return a.movable - b.movable || a.users - b.users || compareText(a.id, b.id);
}

/** By code unit, never by locale: the plan must not depend on the machine that makes it. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function countMode(entries: readonly ProgramEntry[], mode: ProgramMode): number {
  return entries.filter((e) => e.mode === mode).length;
}

function rejectDuplicates(facts: readonly SubscriptionFacts[]): void {
  const seen = new Set<string>();
  for (const f of facts) {
    if (seen.has(f.id)) throw new ProgramError('duplicate_subscription', `subscription ${f.id} was given twice`);
    seen.add(f.id);
  }
}

function checkOptions(o: ProgramOptions): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.start) || addDays(o.start, 0) !== o.start) throw new ProgramError('invalid_option', `the start must be a calendar date YYYY-MM-DD (got ${o.start})`);
  const whole = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new ProgramError('invalid_option', `${name} must be a whole number from ${min} to ${max} (got ${v})`);
  };
  whole('the wave length in days', o.waveDays, 1, 365);
  whole('the pilot size', o.pilot, 0, 1000);
  whole('the lead time in days', o.leadDays, 0, 365);
  whole('the automatic threshold', o.automaticThreshold, 0, 1_000_000);
  if (o.usersPerDay !== null) whole('the users per day', o.usersPerDay, 1, 1_000_000_000);
}
