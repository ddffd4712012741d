/**
 * bulkId references (RFC 7644 §3.7.2) and the order they need. An operation names a resource that a POST of the
 * same Bulk request creates as `bulkId:<bulkId>`; the service provider replaces that with the created id. So an
 * operation runs only once every bulkId it names is resolved, wherever in the request its POST stands; it fails
 * when one cannot be: no POST has that bulkId, that POST failed, or the operations wait on each other (§3.7.1 lets
 * a provider answer 409 instead of breaking a cycle). Pure: no I/O, the runner (`scim-bulk.ts`) settles each step.
 */

const PREFIX = 'bulkId:';
/** A reference quoted inside a longer string: a PATCH path's value filter, `members[value eq "bulkId:u1"]`. */
const QUOTED = /"bulkId:([^"]*)"/g;

/**
 * The bulkIds an operation names, in order of first appearance: a `path` segment `bulkId:<id>`, and in `data` a
 * string that is `bulkId:<id>` (Group `members[].value`, anywhere) or contains `"bulkId:<id>"`. Keys are not read.
 */
export function findBulkIdReferences(path: string, data: unknown): string[] {
  const found = new Set<string>();
  for (const segment of path.split('/')) if (segment.startsWith(PREFIX)) found.add(segment.slice(PREFIX.length));
  visitStrings(data, (text) => {
    if (text.startsWith(PREFIX)) found.add(text.slice(PREFIX.length));
    else for (const match of text.matchAll(QUOTED)) found.add(match[1] as string);
  });
  return [...found];
}

/** `data` with every reference replaced by its id (a copy); references not in `ids` are left as they are. */
export function substituteBulkIds(data: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof data === 'string') {
    if (data.startsWith(PREFIX)) return ids.get(data.slice(PREFIX.length)) ?? data;
    return data.replace(QUOTED, (whole, bulkId: string) => {
      const id = ids.get(bulkId);
      return id === undefined ? whole : JSON.stringify(id);
    });
  }
  if (Array.isArray(data)) return data.map((item) => substituteBulkIds(item, ids));
  if (data !== null && typeof data === 'object') {
    return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, substituteBulkIds(value, ids)]));
  }
  return data;
}

/** The path with its references replaced (ids percent-encoded, as a URL path carries them); undefined while one is unresolved. */
export function substitutePathBulkIds(path: string, ids: ReadonlyMap<string, string>): string | undefined {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (!segment.startsWith(PREFIX)) {
      segments.push(segment);
      continue;
    }
    const id = ids.get(segment.slice(PREFIX.length));
    if (id === undefined) return undefined;
    segments.push(encodeURIComponent(id));
  }
  return segments.join('/');
}

function visitStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) visitStrings(item, visit);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) visitStrings(item, visit);
}

/** Why a reference cannot be resolved: no POST has that bulkId, its POST failed, or the operations wait on each other. */
export interface UnresolvedReference {
  bulkId: string;
  why: 'unknown' | 'failed' | 'circular';
}

export interface BulkStep {
  index: number;
  /** Set when the operation cannot run: it fails with this (409 `invalidValue`) without being performed. */
  unresolved?: UnresolvedReference;
}

/** What the scheduler needs of an operation. Only a POST's bulkId names a resource others can reference. */
export interface SchedulableOperation {
  method: string | undefined;
  bulkId: string | undefined;
  references: readonly string[];
}

export interface BulkScheduler {
  /** The next operation to settle, or undefined when all are. Request order, except that an operation waits for the POSTs it references. */
  next(): BulkStep | undefined;
  /** Records how operation `index` ended: for a POST that succeeded, the id it created; otherwise undefined. */
  settle(index: number, createdId: string | undefined): void;
  /** The ids created so far, by bulkId. */
  readonly ids: ReadonlyMap<string, string>;
}

export function scheduleBulk(operations: readonly SchedulableOperation[]): BulkScheduler {
  const creators = new Map<string, number>();
  operations.forEach((op, index) => {
    if (op.method === 'POST' && op.bulkId !== undefined && !creators.has(op.bulkId)) creators.set(op.bulkId, index);
  });
  const ids = new Map<string, string>();
  const failed = new Set<string>();
  const circular = new Map<number, string>();
  let pending = operations.map((_, index) => index);

  /** The first bulkId `index` references whose POST has not run yet. */
  const waitingOn = (index: number): string | undefined =>
    operations[index]!.references.find((bulkId) => creators.has(bulkId) && !ids.has(bulkId) && !failed.has(bulkId));

  const decide = (index: number): BulkStep | undefined => {
    const cycle = circular.get(index);
    if (cycle !== undefined) return { index, unresolved: { bulkId: cycle, why: 'circular' } };
    for (const bulkId of operations[index]!.references) {
      if (failed.has(bulkId)) return { index, unresolved: { bulkId, why: 'failed' } };
      if (!creators.has(bulkId)) return { index, unresolved: { bulkId, why: 'unknown' } };
    }
    return waitingOn(index) === undefined ? { index } : undefined;
  };

  return {
    ids,
    next() {
      if (pending.length === 0) return undefined;
      for (const index of pending) {
        const step = decide(index);
        if (step !== undefined) return step;
      }
      // Every operation left waits on a POST that is itself left: following the waits goes round in a cycle, so
      // none of them can ever run. Each fails naming the reference it waited on.
      for (const index of pending) circular.set(index, waitingOn(index) as string);
      return decide(pending[0] as number);
    },
    settle(index, createdId) {
      pending = pending.filter((i) => i !== index);
      const { method, bulkId } = operations[index]!;
      if (method !== 'POST' || bulkId === undefined || creators.get(bulkId) !== index) return;
      if (createdId === undefined) failed.add(bulkId);
      else ids.set(bulkId, createdId);
    },
  };
}
