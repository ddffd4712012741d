import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
export { seededRandom as seeded } from '../../../src/population/seeded-random.ts';

export const CHILD = fileURLToPath(new URL('./user-phase-child.ts', import.meta.url));

export interface Child {
  proc: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and what it printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

export function startChild(args: string[]): Child {
  const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
  return { proc, exited };
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

