export type CliErrorCode =
  | 'usage' // a required option is missing or options contradict each other; `--help` shows the command's options
  | 'file_not_found' // an input file does not exist
  | 'snapshot_not_found' // no stored snapshot for the subscription or id: run `rehome import` first
  | 'output_unwritable' // `--out FILE` cannot be written (exit status 1); nothing partial is left behind
  | 'output_not_a_file'; // `--out FILE` names a directory, device, FIFO or socket: only regular files are written; nothing was written

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
