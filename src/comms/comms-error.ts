export type CommsErrorCode =
  | 'template_invalid' // a template file is malformed or uses an unknown placeholder
  | 'template_unknown' // no template of that name
  | 'placeholder_missing' // a value the template needs is not configured (e.g. comms.productUrl)
  | 'user_unknown' // no such user in the subscription's migration
  | 'link_secret_missing' // verification links need ims.linkSecret (REHOME_IMS_LINK_SECRET)
  | 'settings_invalid'; // a comms.* option cannot be used (e.g. a reminder day that is not a number)

/** Errors of the communication plan; callers switch on `code`. */
export class CommsError extends Error {
  readonly code: CommsErrorCode;
  constructor(code: CommsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommsError';
    this.code = code;
  }
}
