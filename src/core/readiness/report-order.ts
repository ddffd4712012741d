const DIGITS = /^\d+$/;

/** Product user ids in report order: numeric ids numerically (`999` before `1000`), others by code unit. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length && DIGITS.test(a) && DIGITS.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
