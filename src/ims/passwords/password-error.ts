export type PasswordErrorCode =
  | 'legacy_check_unavailable' // lazy migration: the product could not be asked (down, timeout, refused Rehome's token); retry later
  | 'strategy_unsupported' // the password strategy cannot work with this identity provider (e.g. hashes over SCIM)
  | 'hash_sample_missing' // import_hashes without a checked hash sample
  | 'hash_sample_failed' // a known test password did not verify, or a hash family is unsupported: nothing was imported
  | 'hash_sample_invalid' // the --hash-sample file is not JSON lines of { userId, password }
  | 'hash_unsupported'; // one user's imported hash is of no supported family (the sample gate should have caught it)

/** Errors of the three password strategies; callers switch on `code`. Messages never contain a password or hash. */
export class PasswordError extends Error {
  readonly code: PasswordErrorCode;
  constructor(code: PasswordErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PasswordError';
    this.code = code;
  }
}

export function isPasswordError(error: unknown, code?: PasswordErrorCode): error is PasswordError {
  return error instanceof PasswordError && (code === undefined || error.code === code);
}
