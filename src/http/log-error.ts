/**
 * Logs an unexpected error for operators without what could identify a person: error messages often quote the
 * input (an address, a name), so only the error's name, its stable code and the stack frames are written; the
 * audit log is the only place people are named.
 */
export function logUnexpected(where: string, error: unknown): void {
  const e = error as { name?: string; code?: unknown; stack?: string } | undefined;
  const frames = typeof e?.stack === 'string' ? e.stack.split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 8).join('\n') : '';
  console.error(`${where}: unexpected ${e?.name ?? typeof error}${typeof e?.code === 'string' ? ` (${e.code})` : ''}${frames ? `\n${frames}` : ''}`);
}
