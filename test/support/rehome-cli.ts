// The CLI as people run it, for tests: a real `bin/rehome.ts` process, and a temporary working directory that goes
// away with the test. Environment that would point a run at a developer's own store is cleared.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
/** A file of the example data (examples/acme). */
export const example = (file: string): string => join(ROOT, 'examples/acme', file);

export interface CliRun { code: number | null; out: string; err: string }

/**
 * Runs `rehome ...args` in `cwd`. With `timeoutMs`, a process still running then is killed and the test reports a
 * hang (a FIFO or a device must never block the CLI).
 */
export function runRehome(args: string[], cwd: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}): CliRun {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/rehome.ts'), ...args], {
    cwd, encoding: 'utf8', ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    env: { ...process.env, REHOME_STORE: '', REHOME_DATABASE_URL: '', REHOME_PRODUCT_URL: '', ...options.env },
  });
  if (options.timeoutMs) assert.notEqual(r.signal, 'SIGTERM', `rehome ${args[0]} hung (killed after ${options.timeoutMs / 1000} s)`);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A fresh directory (0700, as mkdtemp makes it) removed after the test. */
export function tempDir(t: { after(fn: () => void): void }, prefix = 'rehome-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
