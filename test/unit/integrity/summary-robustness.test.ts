/**
 * The summary parsers on output as the harness really keeps it: capped to its end, with other
 * programs' lines around and between, CRLF line ends, progress lines rewritten with \r.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTestSummary } from '../../../src/integrity/summary/dispatch.js';
import { parseNodeTestSummary } from '../../../src/integrity/summary/node-test.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/runner-output');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, `${name}.txt`), 'utf8');

/** Fixtures with one summary, and text that starts their summary (the cut happens before it). */
const SINGLE_SUMMARY: Record<string, string> = {
  'node-test-spec/failing': 'ℹ tests',
  'node-test-tap/skipping': '# tests',
  'vitest/skipping': 'Test Files',
  'jest/failing': 'Test Suites:',
  'mocha/skipping': 'passing (',
  'pytest/failing': 'short test summary info',
  'surefire/skipping': 'Results:',
  'rspec/skipping': 'examples,',
  'unittest/failing': 'Ran 5 tests',
  'minitest/skipping': 'Finished in',
};

const NOISE = Array.from({ length: 400 }, (_, i) => `npm warn deprecated package-${i}@1.0.0: use something else`);

describe('summary parsers on real-world output', () => {
  for (const [name, summaryStart] of Object.entries(SINGLE_SUMMARY)) {
    const expected = parseTestSummary(fixture(name));

    it(`${name}: same counts with noise before and after`, () => {
      const noisy = [...NOISE, fixture(name), 'npm notice New minor version of npm available!', 'Done in 4.2s.'];
      expect(parseTestSummary(noisy.join('\n'))).toEqual(expected);
    });

    it(`${name}: same counts when the head was cut off`, () => {
      const text = fixture(name);
      const start = text.indexOf(summaryStart);
      expect(start).toBeGreaterThan(0);
      // The cap keeps bytes, so the cut may fall in the middle of a line.
      const tail = text.slice(Math.floor(start / 2));
      expect(parseTestSummary(tail, { truncated: true })).toEqual(expected);
    });

    it(`${name}: same counts with CRLF line ends`, () => {
      expect(parseTestSummary(fixture(name).replaceAll('\n', '\r\n'))).toEqual(expected);
    });
  }

  it('reads the line a progress display left after rewriting it with \\r', () => {
    const output = `${fixture('pytest/passing')}\nworking... 10%\rworking... 90%\r4 passed in 0.03s\n`;
    expect(parseTestSummary(output)?.counts).toMatchObject({ passed: 8, failed: 0, parts: 2 });
  });

  it('adds up two runs of one runner (a test command that runs the suite in two halves)', () => {
    const twice = `${fixture('vitest/passing')}\n${fixture('vitest/failing')}`;
    expect(parseTestSummary(twice)?.counts).toMatchObject({ passed: 7, failed: 2, parts: 2 });
  });

  it('marks counts added up from several parts as incomplete when the head was cut off', () => {
    const cargo = parseTestSummary(fixture('cargo/passing'), { truncated: true });
    expect(cargo).toMatchObject({ runner: 'cargo', complete: false });
    const goVerbose = parseTestSummary(fixture('go-verbose/passing'), { truncated: true });
    expect(goVerbose).toMatchObject({ runner: 'go', complete: false });
    expect(parseTestSummary(fixture('cargo/passing'))?.complete).toBe(true);
  });

  it('keeps node:test figures together when other output is printed between them', () => {
    const output = ['ℹ tests 7', 'ℹ suites 1', '(node:123) Warning: something', 'ℹ pass 5', 'ℹ fail 1'];
    output.push('stderr: leftover', 'ℹ cancelled 1', 'ℹ skipped 0', 'ℹ todo 0', 'ℹ duration_ms 12.5');
    expect(parseNodeTestSummary(output.join('\n'))).toMatchObject({ run: 7, passed: 5, failed: 2 });
  });

  it('ignores a node:test summary cut in the middle (its first figures lost)', () => {
    expect(parseNodeTestSummary('ℹ skipped 0\nℹ todo 0\nℹ duration_ms 3\n')).toBeUndefined();
  });

  it('recognises nothing in output without a summary', () => {
    expect(parseTestSummary('')).toBeUndefined();
    expect(parseTestSummary('ok\n')).toBeUndefined();
    expect(parseTestSummary('> echo ok\n\nok\n')).toBeUndefined();
    expect(parseTestSummary('TAP version 13\nok 1 - adds\nok 2 - joins\n')).toBeUndefined();
    expect(parseTestSummary('Compiling foo v0.1.0\nerror[E0425]: cannot find value `x`\n')).toBeUndefined();
  });
});
