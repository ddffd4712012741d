import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
export { seededRandom as seeded } from '../../../src/population/seeded-random.ts';

export const CHILD = fileURLToPath(new URL('./user-phase-child.ts', import.meta.url));

export interface Child {
  proc: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and what it printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
  /** Resolves once the child said `ready` on stderr (its store is open and the run starts), or it exited. */
  ready: Promise<void>;
}

export function startChild(args: string[]): Child {
  const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let isReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => { isReady = resolve; });
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { err += d; if (err.includes('ready\n')) isReady(); });
  proc.on('exit', () => isReady());
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
  return { proc, exited, ready };
}

/** Waits `ms`, then SIGKILLs the child if it is still running; says whether it was killed. */
export async function killAfter(child: Child, ms: number): Promise<boolean> {
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms));
  const r = await Promise.race([child.exited, timer]);
  if (r !== 'timeout') return false;
  child.proc.kill('SIGKILL');
  await child.exited;
  return true;
}

