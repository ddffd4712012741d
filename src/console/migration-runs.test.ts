import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RehomeApp } from '../app/compose.ts';
import { liveView, type LiveStatus } from './live-status.ts';
import { createMigrationRuns } from './migration-runs.ts';
import { computeProgress } from '../core/migration/progress.ts';

const LABELS = { kind: 'tickets', inProgress: 'Moving support tickets', finished: 'Support tickets moved' };
const view = (run: LiveStatus['run']) => liveView({ state: 'confirmed', progress: computeProgress({}), byState: {}, windowExpiresAt: null, extensions: 0, run, canConfirm: false }, { state: (s) => s ?? '' });

test('a Support & links job: one at a time per subscription, its progress and end in the live view', async () => {
  const changes: string[] = [];
  const runs = createMigrationRuns({ app: {} as RehomeApp, onChange: (id) => changes.push(id) });
  let step!: (done: number, total: number) => void;
  let finish!: (sentence: string | null) => void;
  const ended = runs.startTask('S', LABELS, (progress) => { step = progress; return new Promise((resolve) => { finish = resolve; }); });
  assert.ok(ended);
  assert.equal(runs.startTask('S', LABELS, async () => null), null, 'a second job waits for the first to end');
  assert.ok(runs.startTask('OTHER', LABELS, async () => null), 'another subscription is not held up');
  step(40, 60);
  const running = view(runs.status('S'));
  assert.equal(running.text['task-tickets'], 'Moving support tickets: 40 of 60');
  assert.deepEqual(running.bars['task-tickets'], [40, 60]);
  assert.equal(running.show['task-tickets'], true);
  const seq = runs.status('S').task!.seq;
  assert.equal(running.show[`task-${seq}-ended`], false);
  finish(null);
  assert.equal((await ended)!.active, false);
  const done = view(runs.status('S'));
  assert.equal(done.text['task-tickets'], 'Support tickets moved.');
  assert.equal(done.show[`task-${seq}-ended`], true);
  assert.ok(changes.filter((id) => id === 'S').length >= 3, 'started, progressed and ended are told');
  assert.equal(view(runs.status('NONE')).text['task-tickets'], undefined, 'no job, no keys');
});

test('a job that stops says why; one that throws is reported and does not stop the next', async () => {
  const errors: unknown[] = [];
  const runs = createMigrationRuns({ app: {} as RehomeApp, onChange: () => {}, onError: (e) => errors.push(e) });
  await runs.startTask('S', LABELS, async () => 'the product\'s API answered unavailable');
  assert.equal(view(runs.status('S')).text['task-tickets'], 'Moving support tickets stopped: the product\'s API answered unavailable');
  await runs.startTask('S', LABELS, async () => { throw new Error('disk full'); });
  assert.equal(runs.status('S').task!.error, 'disk full');
  assert.equal(errors.length, 1);
  const last = runs.startTask('S', LABELS, async () => null);
  await runs.close();
  assert.equal((await last)!.error, null, 'close waits for the job');
  assert.equal(runs.startTask('S', LABELS, async () => null), null, 'a closed console starts nothing');
});
