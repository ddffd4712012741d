import type { Stats } from 'node:fs';

/**
 * What a path names when it is not a regular file, in words for a message (`a FIFO (named pipe)`). Inputs and
 * `--out` files must be regular files: reading a FIFO blocks until someone writes to it, a device never ends (or
 * swallows everything), and replacing one with a report breaks whatever else uses it.
 */
export function describeFileType(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}
