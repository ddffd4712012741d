import type { ProgramEntry } from './program-plan.ts';

/**
 * Pure: `count` subscriptions across sizes for the pilot wave, from `entries` sorted by size: the middles of `count`
 * equal slices of the size order (with 5: the 10th, 30th, 50th, 70th and 90th percentile). The smallest and the
 * largest are left to their waves: a pilot should show what most subscriptions meet, at a size that is safe to learn
 * on. Everyone when there are no more than `count`.
 */
export function choosePilot(entries: readonly ProgramEntry[], count: number): ProgramEntry[] {
  if (count <= 0) return [];
  if (entries.length <= count) return [...entries];
  const picked: ProgramEntry[] = [];
  for (let k = 0; k < count; k++) picked.push(entries[Math.floor(((k + 0.5) * entries.length) / count)]!);
  return picked;
}
