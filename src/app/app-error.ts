export type AppErrorCode =
  | 'usage' // a required input is missing or inputs contradict each other
  | 'file_not_found' // an input file does not exist
  | 'secrets_required' // a server reachable from elsewhere was given no cookie keys or link secret
  | 'not_configured' // an action needs a part the configuration does not set up (the message names the option)
  | 'snapshot_not_found' // no stored snapshot for the subscription: import it first
  | 'no_migration'; // the subscription has no migration yet: plan and link the product first

/** A problem with what a face asked the application to do; every face shows the message as it is. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}
