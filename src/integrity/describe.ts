/**
 * Findings as text: one line for a person (the developerFix prompt, the console, the report) and
 * the commit-message trailers a flagged commit carries in `warn` mode.
 */
import type { IntegrityFinding, IntegrityRule } from './types.js';

const RULE_TEXT: Readonly<Record<IntegrityRule, string>> = {
  'test-file-deleted': 'a test file was deleted',
  'test-file-emptied': 'a test file was emptied',
  'skip-marker-added': 'a skip/only/todo marker was added',
  'fewer-tests-run': 'fewer tests ran than at the start',
  'more-tests-skipped': 'more tests were skipped than at the start',
  'no-tests-ran': 'no tests ran where some did at the start',
  'harness-config-edited': 'the harness configuration was edited',
  'instructions-edited': "a role's instructions were edited",
  'task-file-edited': "the task file was edited beyond the current task's tick and notes",
  'test-config-edited': "the test command's configuration was edited",
  'ci-config-edited': 'a CI file was edited',
  'protected-path-edited': 'a protected path was edited',
};

/** What the rule guards against, in a few words. */
export function describeRule(rule: IntegrityRule): string {
  return RULE_TEXT[rule];
}

/** Control characters (a newline in a file name) would break a one-line text or a trailer. */
function printable(text: string): string {
  return /[\u0000-\u001f\u007f]/.test(text) ? JSON.stringify(text) : text;
}

/**
 * One line: `<path>: <rule> (<what the rule guards against>): <detail>`, e.g.
 * `test/a.test.ts: test-file-deleted (a test file was deleted): test/a.test.ts, which held 3 tests, was deleted`.
 */
export function describeFinding(finding: IntegrityFinding): string {
  return `${printable(finding.path)}: ${finding.rule} (${RULE_TEXT[finding.rule]}): ${printable(finding.detail)}`;
}

/** `Integrity-Finding: <rule>: <path>` — one trailer per finding, duplicates removed. */
export function integrityTrailers(findings: readonly IntegrityFinding[]): string[] {
  return [...new Set(findings.map((finding) => `Integrity-Finding: ${finding.rule}: ${printable(finding.path)}`))];
}
