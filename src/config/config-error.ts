export type ConfigErrorCode =
  | 'config_invalid' // one or more options are wrong: each problem names the option path and its origin
  | 'config_unreadable'; // the config file is missing (when named with --config) or not valid JSON

/** A configuration problem; `problems` are path-qualified sentences (`store.kind must be one of ...`). */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly problems: string[];
  constructor(code: ConfigErrorCode, problems: string[], options?: { cause?: unknown }) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`, options);
    this.name = 'ConfigError';
    this.code = code;
    this.problems = problems;
  }
}
