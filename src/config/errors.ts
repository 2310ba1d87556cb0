/** One problem found in the configuration, with where it came from. */
export interface ConfigProblem {
  /** The file path or `environment variable NAME` the value came from. */
  source: string;
  /** Dotted path of the field, e.g. `models.local/qwen.baseUrl`; empty for the whole file. */
  field: string;
  /** What was expected, in plain words. */
  expected: string;
}

/**
 * A configuration that cannot be used. The CLI prints `message` and exits 2 before anything is
 * written to the repo.
 */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  /** Findings that may explain a problem (a misspelled key leaves the right one missing). */
  readonly notes: readonly string[];

  constructor(problems: readonly ConfigProblem[], notes: readonly string[] = []) {
    super(formatProblems(problems, notes));
    this.name = 'ConfigError';
    this.problems = problems;
    this.notes = notes;
  }
}

function formatProblems(problems: readonly ConfigProblem[], notes: readonly string[]): string {
  const lines = problems.map((p) => `  ${p.source}: ${p.field ? `${p.field}: ` : ''}${p.expected}`);
  const also = notes.length > 0 ? `\nalso:\n${notes.map((note) => `  ${note}`).join('\n')}` : '';
  return `invalid configuration:\n${lines.join('\n')}${also}`;
}
