import { migrateUsers } from '../app/actions/index.ts';
import type { RehomeApp } from '../app/compose.ts';

/** What the console shows about background runs of one subscription. */
export interface RunStatus {
  running: boolean;
  /** Runs waiting behind the current one. */
  queued: number;
  migrated: number;
  failed: number;
  /** The message of the last run that stopped with an error (say, the window expired), until the next run starts. */
  lastError: string | null;
  /** The last run migrated whom it could and left the others waiting for these admins (admins first). */
  heldForAdmins: { count: number; names: string } | null;
  /** The subscription's Support & links job (phase 3), running or the last one to end in this process. */
  task: TaskStatus | null;
}

/** What a Support & links job says of itself while it runs and once it ended well. */
export interface TaskLabels {
  /** Which action (the page shows its progress in that action's section). */
  kind: string;
  /** "Moving support tickets". */
  inProgress: string;
  /** "Support tickets moved". */
  finished: string;
}

export interface TaskStatus extends TaskLabels {
  /** Numbers the jobs this console started, so a page knows whether the one it showed has ended. */
  seq: number;
  active: boolean;
  done: number;
  /** 0 while unknown (reading from the product). */
  total: number;
  /** Why it stopped, in words for the admin; null while it runs or once it ended well. */
  error: string | null;
}

/**
 * A job's work: reports progress and answers null when it ended well or, for an outcome the admin can act on
 * (the engine refused, the product answered an error), the sentence that says so. What it throws is unexpected.
 */
export type TaskWork = (progress: (done: number, total: number) => void, signal: AbortSignal) => Promise<string | null>;

export interface MigrationRunsDeps {
  /** Runs go through the application's `migrateUsers`, exactly as `rehome migrate` does. */
  app: RehomeApp;
  /** Called whenever a run makes progress, starts or ends (the live view refreshes). */
  onChange(subscriptionId: string): void;
  onError?: (error: unknown) => void;
}

/**
 * "Migrate Now" and "Migrate All" run the engine's user phase in the background, one run at a time per
 * subscription (later requests queue behind it), so the page answers at once and the live view follows. The
 * engine is crash-safe: a run cut short by a restart is reconciled by the next one.
 */
export function createMigrationRuns(deps: MigrationRunsDeps) {
  const chains = new Map<string, Promise<void>>();
  const status = new Map<string, Omit<RunStatus, 'task'>>();
  const tasks = new Map<string, { status: TaskStatus; ended: Promise<TaskStatus> }>();
  const controller = new AbortController();
  let started = 0;

  const statusOf = (id: string): Omit<RunStatus, 'task'> => {
    let s = status.get(id);
    if (!s) status.set(id, (s = { running: false, queued: 0, migrated: 0, failed: 0, lastError: null, heldForAdmins: null }));
    return s;
  };

  async function run(subscriptionId: string, actor: string, userIds: string[] | undefined): Promise<void> {
    const s = statusOf(subscriptionId);
    s.queued--;
    if (controller.signal.aborted) return;
    Object.assign(s, { running: true, migrated: 0, failed: 0, lastError: null, heldForAdmins: null });
    deps.onChange(subscriptionId);
    try {
      const result = await migrateUsers(deps.app, {
        subscriptionId, actor, signal: controller.signal, ...(userIds ? { userIds } : {}),
        onEvent: (e) => {
          if (e.type === 'user:migrated') s.migrated++;
          else if (e.type === 'user:failed') s.failed++;
          else return;
          deps.onChange(subscriptionId);
        },
      });
      s.heldForAdmins = result.heldForAdmins ?? null;
    } catch (error) {
      s.lastError = (error as Error).message ?? String(error);
      deps.onError?.(error);
    } finally {
      s.running = false;
      deps.onChange(subscriptionId);
    }
  }

  async function settle(): Promise<void> {
    while (chains.size > 0) await Promise.all(chains.values());
    await Promise.all([...tasks.values()].map((t) => t.ended));
  }

  async function runTask(subscriptionId: string, t: TaskStatus, work: TaskWork): Promise<TaskStatus> {
    deps.onChange(subscriptionId);
    try {
      t.error = await work((done, total) => {
        Object.assign(t, { done, total });
        deps.onChange(subscriptionId);
      }, controller.signal);
    } catch (error) {
      t.error = (error as Error).message ?? String(error);
      deps.onError?.(error);
    } finally {
      t.active = false;
      deps.onChange(subscriptionId);
    }
    return { ...t };
  }

  return {
    status: (subscriptionId: string): RunStatus => {
      const task = tasks.get(subscriptionId)?.status;
      return { ...statusOf(subscriptionId), task: task ? { ...task } : null };
    },

    /**
     * Starts a Support & links job (moving tickets, rewriting links, checking access) in the background, one at a
     * time per subscription and apart from migration runs (a quick access check never waits behind hours of
     * migrating). Answers when it has ended, or null when one is already running (or the console is closing).
     */
    startTask(subscriptionId: string, labels: TaskLabels, work: TaskWork): Promise<TaskStatus> | null {
      if (tasks.get(subscriptionId)?.status.active || controller.signal.aborted) return null;
      const t: TaskStatus = { ...labels, seq: ++started, active: true, done: 0, total: 0, error: null };
      const ended = runTask(subscriptionId, t, work);
      tasks.set(subscriptionId, { status: t, ended });
      return ended;
    },

    /** Queues a run (`userIds` for Migrate Now, none for Migrate All); returns the number of runs ahead of it. */
    enqueue(subscriptionId: string, actor: string, userIds?: string[]): number {
      const s = statusOf(subscriptionId);
      const ahead = s.queued + (s.running ? 1 : 0);
      s.queued++;
      const next = (chains.get(subscriptionId) ?? Promise.resolve()).then(() => run(subscriptionId, actor, userIds));
      chains.set(subscriptionId, next);
      void next.finally(() => { if (chains.get(subscriptionId) === next) chains.delete(subscriptionId); });
      deps.onChange(subscriptionId);
      return ahead;
    },

    /** Resolves when no run or job is queued or running. */
    idle: () => settle(),

    /** Stops taking users (runs in flight finish the user they hold) and waits for the runs and jobs to end. */
    async close(): Promise<void> {
      controller.abort();
      await settle();
    },
  };
}

export type MigrationRuns = ReturnType<typeof createMigrationRuns>;
