export type ConsoleErrorCode =
  | 'bootstrap_not_needed' // an admin of the subscription already migrated: sign in through the IMS instead of a bootstrap link
  | 'console_not_registered' // the IMS has no client `rehome-console`: register it (src/console/console-client.ts)
  | 'sign_in_failed'; // the IMS answered the sign-in with an error, or its answer did not verify (state, nonce, PKCE, ID token)

/** The console's own error class; callers switch on `code`. */
export class ConsoleError extends Error {
  readonly code: ConsoleErrorCode;
  constructor(code: ConsoleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConsoleError';
    this.code = code;
  }
}
