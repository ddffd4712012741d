export type WorkerErrorCode =
  | 'runner_busy' // another live rehome process is migrating with this SQLite file: SQLite runs one at a time (use PostgreSQL for several workers)
  | 'queue_needs_postgres'; // the job queue and `rehome worker` with several processes need store.kind = postgres

/** Errors of the runners and the job queue; callers switch on `code`. */
export class WorkerError extends Error {
  readonly code: WorkerErrorCode;
  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkerError';
    this.code = code;
  }
}
