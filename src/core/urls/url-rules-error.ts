export type UrlRulesErrorCode = 'invalid_rules';

/** A rules file that cannot be used; `problems` are path-qualified (`rules[2].target: unknown placeholder {foo}`). */
export class UrlRulesError extends Error {
  readonly code: UrlRulesErrorCode;
  readonly problems: string[];
  constructor(code: UrlRulesErrorCode, problems: string[]) {
    super(`invalid URL rules:\n  - ${problems.join('\n  - ')}`);
    this.name = 'UrlRulesError';
    this.code = code;
    this.problems = problems;
  }
}
