export type ProgramErrorCode =
  | 'invalid_option' // a plan option is out of range or not a calendar date
  | 'lead_time_too_long' // the comms lead time does not fit in the scheduling rule's window
  | 'duplicate_subscription'; // the same subscription was given twice

/** A wave plan that cannot be made from these inputs; the message says which input and why. */
export class ProgramError extends Error {
  readonly code: ProgramErrorCode;
  constructor(code: ProgramErrorCode, message: string) {
    super(message);
    this.name = 'ProgramError';
    this.code = code;
  }
}
