export type ConfigErrorCode = 'config_invalid' | 'config_unreadable';

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
