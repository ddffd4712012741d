/** A one-line terminal progress bar on stderr, redrawn at most ten times a second; silent when not a TTY. */
export function createProgressBar(label: string, write: (s: string) => void, isTTY: boolean, clock: () => number = () => performance.now()): { update(done: number, failed: number, total: number): void; end(): void } {
  let last = 0;
  const started = clock();
  let line = '';
  return {
    update(done, failed, total) {
      const now = clock();
      if (!isTTY || (now - last < 100 && done + failed < total)) return;
      last = now;
      const share = total === 0 ? 1 : (done + failed) / total;
      const width = 30;
      const filled = Math.round(share * width);
      const rate = (done + failed) / Math.max(0.001, (now - started) / 1000);
      const eta = rate > 0 ? Math.round((total - done - failed) / rate) : 0;
      line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done + failed}/${total} (${failed} failed) ${rate.toFixed(0)}/s eta ${eta}s`;
      write(`\r${line}\x1b[K`);
    },
    end() {
      if (isTTY && line) write('\n');
    },
  };
}
