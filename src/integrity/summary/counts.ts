/**
 * Test counts read from a test runner's closing summary, in one shape for every runner.
 */

/**
 * What a count counts. Plain `go test` prints one line per package and nothing per test, so its
 * counts are packages; every other runner counts tests (examples, cases).
 */
export type CountUnit = 'test' | 'package';

export interface TestCounts {
  /** Tests that ran: passed + failed. */
  readonly run: number;
  readonly passed: number;
  /** Failed, errored and cancelled tests. */
  readonly failed: number;
  /** Declared but not run: skipped, ignored, pending, expected failures (xfail), disabled. */
  readonly skipped: number;
  /** Todo tests, when the runner counts them apart from the skipped ones (else they are in `skipped`). */
  readonly todo: number;
  readonly unit: CountUnit;
  /**
   * How many summary lines were added up: cargo prints one per test binary, Maven one per module,
   * `go test -v` one line per test, and a test command may run a runner twice. Counts from more
   * than one part undercount when the head of the output was cut off.
   */
  readonly parts: number;
}

export interface CountsInput {
  readonly passed: number;
  readonly failed: number;
  readonly skipped?: number;
  readonly todo?: number;
  readonly unit?: CountUnit;
  readonly parts?: number;
}

export function makeCounts(input: CountsInput): TestCounts {
  return {
    run: input.passed + input.failed,
    passed: input.passed,
    failed: input.failed,
    skipped: input.skipped ?? 0,
    todo: input.todo ?? 0,
    unit: input.unit ?? 'test',
    parts: input.parts ?? 1,
  };
}

/** Counts from a runner's "N passed, N failed, N skipped, N todo" items (Jest and Vitest use these words). */
export function countsFromItems(items: ReadonlyMap<string, number>): TestCounts {
  return makeCounts({
    passed: items.get('passed') ?? 0,
    failed: items.get('failed') ?? 0,
    skipped: items.get('skipped') ?? 0,
    todo: items.get('todo') ?? 0,
  });
}

/** Tests that were declared but did not run. */
export function notRun(counts: TestCounts): number {
  return counts.skipped + counts.todo;
}

/** Adds the counts of several summaries of one runner (parts add up too). */
export function sumCounts(all: readonly TestCounts[]): TestCounts | undefined {
  const [first, ...rest] = all;
  if (first === undefined) return undefined;
  return rest.reduce(
    (sum, next) =>
      makeCounts({
        passed: sum.passed + next.passed,
        failed: sum.failed + next.failed,
        skipped: sum.skipped + next.skipped,
        todo: sum.todo + next.todo,
        unit: sum.unit,
        parts: sum.parts + next.parts,
      }),
    first,
  );
}
