import os from 'node:os';

/** The line every benchmark prints first, so a figure is never read without the machine it came from. */
export function describeMachine(): string {
  const cpus = os.cpus();
  return `machine: ${cpus.length} x ${cpus[0]?.model ?? 'unknown cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, node ${process.versions.node}`;
}

/** Runs `fn`, sampling RSS every 25 ms; returns its result, the wall time and the peak RSS seen. */
export async function measure<T>(fn: () => Promise<T> | T): Promise<{ result: T; ms: number; peakRssMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 25);
  const start = performance.now();
  try {
    const result = await fn();
    const ms = performance.now() - start;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, ms, peakRssMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}
