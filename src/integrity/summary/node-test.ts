/**
 * node:test's closing summary, the same in its spec reporter (`ℹ tests 5`) and its TAP reporter
 * (`# tests 5`): one line per figure, `tests` first.
 */
import { makeCounts, sumCounts, type TestCounts } from './counts.js';
import { outputLines } from './lines.js';

const FIGURE = /^(?:ℹ|#) (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\d+(?:\.\d+)?)$/;
const REQUIRED = ['tests', 'pass', 'fail', 'skipped', 'todo'] as const;

export function parseNodeTestSummary(output: string): TestCounts | undefined {
  const blocks: Map<string, number>[] = [];
  for (const line of outputLines(output)) {
    const match = FIGURE.exec(line.trim());
    if (match === null) continue;
    const name = match[1]!;
    // `tests` opens a summary; the other figures follow it, possibly with other output between.
    if (name === 'tests') blocks.push(new Map());
    blocks.at(-1)?.set(name, Number(match[2]));
  }
  const complete = blocks.filter((block) => REQUIRED.every((name) => block.has(name)));
  return sumCounts(
    complete.map((block) =>
      makeCounts({
        passed: block.get('pass')!,
        failed: block.get('fail')! + (block.get('cancelled') ?? 0),
        skipped: block.get('skipped')!,
        todo: block.get('todo')!,
      }),
    ),
  );
}
