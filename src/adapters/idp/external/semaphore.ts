/** At most `limit` tasks run at once; the others wait in arrival order. */
export interface Semaphore {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly inFlight: number;
}

export function createSemaphore(limit: number): Semaphore {
  if (!(limit >= 1)) throw new RangeError('concurrency must be at least 1');
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    const next = waiting.shift();
    if (next) {
      active++;
      next();
    }
  };
  return {
    get inFlight() {
      return active;
    },
    async run(task) {
      if (active < limit) active++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
