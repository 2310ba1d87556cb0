/**
 * "What the safety nets caught": the failed verifications and FAIL verdicts of the run, read back
 * from its journal, each with how its iteration ended. The progress lines only say "failed" and
 * "FAIL"; a newcomer should see what was actually wrong and that the loop repaired it.
 */
import { JournalFold } from '../journal/fold/fold.js';
import { readJournalFile } from '../journal/read.js';

const MAX_EXCERPT_LINES = 6;

/**
 * The gist of a failed test run: the failing tests' names and the assertion's message, without
 * the stack. Understands node's spec and tap reporters; otherwise the last lines.
 */
export function testFailureGist(output: string): string[] {
  const lines = output.split('\n');
  const failing = [
    ...new Set(
      lines
        .map((line) => line.trim().replace(/\s*\([\d.]+ms\)$/, ''))
        .filter((line) => /^(?:✖ (?!failing tests:)|not ok \d+ - )/.test(line)),
    ),
  ];
  const start = lines.findIndex((line) => /AssertionError|^\s*error: /.test(line));
  const assertion: string[] = [];
  for (const line of start < 0 ? [] : lines.slice(start)) {
    if (/^\s+at /.test(line) || /^\s*(?:code|stack): /.test(line)) break;
    const trimmed = line.trim();
    if (trimmed !== '' && trimmed !== '^') assertion.push(trimmed);
  }
  const gist = [...failing.slice(0, 2), ...assertion];
  const picked = gist.length > 0 ? gist : lines.filter((line) => line.trim() !== '').slice(-3);
  return picked.slice(0, MAX_EXCERPT_LINES);
}

/** How the iteration ended, as the run's fold has it. */
function ending(fold: JournalFold, iteration: number | undefined): string {
  const it = fold.iteration(iteration);
  if (!it?.ended) return 'the iteration did not finish';
  if (it.endStatus !== 'succeeded') return `the iteration ended ${String(it.endStatus).toUpperCase()} (${it.reason})`;
  return `developerFix repaired it; the iteration SUCCEEDED${it.commit ? ` (commit ${it.commit.sha.slice(0, 7)})` : ''}`;
}

/** Text lines for the outro, or none when nothing failed along the way. */
export async function safetyNetLines(journalFile: string): Promise<string[]> {
  const { events } = readJournalFile(journalFile);
  const fold = new JournalFold();
  for (const event of events) fold.apply(event);
  const lines: string[] = [];
  for (const event of events) {
    if (event.type === 'verification' && event.outcome !== 'passed' && event.outcome !== 'skipped') {
      const after = event.after === 'developer' ? "developer's" : event.after;
      lines.push(`  iteration ${event.iteration}: \`${event.command}\` ${event.outcome} after the ${after} turn:`);
      lines.push(...testFailureGist(event.outputTail ?? '').map((line) => `      ${line}`));
      lines.push(`    → ${ending(fold, event.iteration)}`);
    } else if (event.type === 'verdict' && event.verdict === 'FAIL') {
      lines.push(`  iteration ${event.iteration}: the tester's review said FAIL:`);
      lines.push(
        ...(event.findings ?? '')
          .trim()
          .split('\n')
          .slice(0, MAX_EXCERPT_LINES)
          .map((line) => `      ${line}`),
      );
      lines.push(`    → ${ending(fold, event.iteration)}`);
    }
  }
  return lines.length > 0 ? ['What the safety nets caught:', ...lines, ''] : [];
}
