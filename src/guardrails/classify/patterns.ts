/**
 * `guardrailsAllow` / `guardrailsDeny`: command patterns, written as the command's words. A pattern
 * matches a command whose first words match its words, in order (`git push` matches
 * `git -C . push origin main`: git's own options before the subcommand are left out); `*` inside a
 * pattern word matches any text, and a pattern word `*` matches any one word. Tool calls match as
 * `write <path>` / `edit <path>` with the path relative to the repository.
 */

export interface CommandPattern {
  source: string;
  words: RegExp[];
}

export function parsePatterns(sources: readonly string[]): CommandPattern[] {
  return sources
    .map((source) => source.trim())
    .filter(Boolean)
    .map((source) => ({ source, words: source.split(/\s+/).map(wordRegExp) }));
}

function wordRegExp(word: string): RegExp {
  const escaped = word.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

/** Whether `argv` (unknown words as undefined) starts with the pattern's words. */
export function matchesPattern(argv: readonly (string | undefined)[], pattern: CommandPattern): boolean {
  if (argv.length < pattern.words.length) return false;
  return pattern.words.every((re, i) => {
    const word = argv[i];
    return word === undefined ? re.source === '^.*$' : re.test(word);
  });
}

export function firstMatch(
  argv: readonly (string | undefined)[],
  patterns: readonly CommandPattern[],
): CommandPattern | undefined {
  return patterns.find((pattern) => matchesPattern(argv, pattern));
}
