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
}

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
  const status = new Map<string, RunStatus>();
  const controller = new AbortController();

  const statusOf = (id: string): RunStatus => {
    let s = status.get(id);
    if (!s) status.set(id, (s = { running: false, queued: 0, migrated: 0, failed: 0, lastError: null }));
    return s;
  };

  async function run(subscriptionId: string, actor: string, userIds: string[] | undefined): Promise<void> {
    const s = statusOf(subscriptionId);
    s.queued--;
    if (controller.signal.aborted) return;
    Object.assign(s, { running: true, migrated: 0, failed: 0, lastError: null });
    deps.onChange(subscriptionId);
    try {
      await migrateUsers(deps.app, {
        subscriptionId, actor, signal: controller.signal, ...(userIds ? { userIds } : {}),
        onEvent: (e) => {
          if (e.type === 'user:migrated') s.migrated++;
          else if (e.type === 'user:failed') s.failed++;
          else return;
          deps.onChange(subscriptionId);
        },
      });
    } catch (error) {
      s.lastError = (error as Error).message ?? String(error);
      deps.onError?.(error);
    } finally {
      s.running = false;
      deps.onChange(subscriptionId);
    }
  }

  return {
    status: (subscriptionId: string): RunStatus => ({ ...statusOf(subscriptionId) }),

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

    /** Resolves when no run is queued or running. */
    async idle(): Promise<void> {
      while (chains.size > 0) await Promise.all(chains.values());
    },

    /** Stops taking users (runs in flight finish the user they hold) and waits for the runs to end. */
    async close(): Promise<void> {
      controller.abort();
      while (chains.size > 0) await Promise.all(chains.values());
    },
  };
}

export type MigrationRuns = ReturnType<typeof createMigrationRuns>;
