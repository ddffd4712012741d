export type CliErrorCode = 'usage' | 'file_not_found' | 'snapshot_not_found' | 'output_unwritable';

/** A problem the operator can fix by changing the command line; printed without a stack. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: number;
  constructor(code: CliErrorCode, message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}
