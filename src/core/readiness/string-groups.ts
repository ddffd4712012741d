/**
 * Numbers distinct strings in the order they are first seen: `groupOf(s)` is the same number for equal strings.
 * An open-addressing table of group numbers in one Int32Array, sized once for at most `capacity` distinct strings:
 * for a million addresses it is a few times faster than a Map (which rehashes as it grows) and holds no entry
 * objects. FNV-1a over the UTF-16 code units; equal hashes are told apart by comparing the strings.
 */
export interface StringGroups {
  groupOf(s: string): number;
  /** The first string of each group, by group number. */
  readonly firsts: readonly string[];
}

export function createStringGroups(capacity: number): StringGroups {
  let size = 1024;
  while (size < capacity * 2) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  const firsts: string[] = [];
  return {
    firsts,
    groupOf(s) {
      let h = 0x811c9dc5;
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
      for (let slot = h & mask; ; slot = (slot + 1) & mask) {
        const g = slots[slot]!;
        if (g === -1) {
          slots[slot] = firsts.length;
          firsts.push(s);
          return firsts.length - 1;
        }
        if (firsts[g] === s) return g;
      }
    },
  };
}
