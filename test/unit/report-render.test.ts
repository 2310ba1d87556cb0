/** The terminal view: aligned columns, colour only where wanted, a friendly empty history, option checks. */
import { describe, expect, it } from 'vitest';
import { formatCost, formatDuration, formatTokens } from '../../src/report/format.js';
import { colorEnabled, createStyle } from '../../src/report/style.js';
import { renderTable } from '../../src/report/table.js';
import { cli } from '../helpers/cli.js';
import { makeRepo } from '../helpers/git-repo.js';
import { configFor, JournalWriter, succeededIteration } from '../helpers/journal.js';

describe('report rendering', () => {
  it('aligns columns by their plain text, even when painted', () => {
    const red = (text: string) => `\u001b[31m${text}\u001b[0m`;
    const lines = renderTable(
      [{ header: 'A' }, { header: 'N', align: 'right' }, { header: 'TEXT' }],
      [
        [{ text: 'short', paint: red }, '5', 'x'],
        ['longer one', '12345', 'free text'],
      ],
    );
    const plain = lines.map((line) => line.replace(/\u001b\[\d+m/g, ''));
    expect(plain).toEqual(['  A               N  TEXT', '  short           5  x', '  longer one  12345  free text']);
  });

  it('colours only on a terminal, never with NO_COLOR, and with FORCE_COLOR', () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(createStyle(false).status('failed', 'x')).toBe('x');
    expect(createStyle(true).status('failed', 'x')).toBe('\u001b[31mx\u001b[0m');
  });

  it('formats durations, tokens and cost for people', () => {
    expect([
      formatDuration(4200),
      formatDuration(42_000),
      formatDuration(313_000),
      formatDuration(7_500_000),
      formatDuration(null),
    ]).toEqual(['4.2s', '42s', '5m13s', '2h05m', '-']);
    expect([formatTokens(950), formatTokens(12_345), formatTokens(1_234_567)]).toEqual(['950', '12.3k', '1.23M']);
    expect([formatCost(0), formatCost(0.01234), formatCost(12.5)]).toEqual(['-', '$0.0123', '$12.50']);
  });

  it('no history: a friendly message, exit 0, and an empty JSON document', async () => {
    const repo = await makeRepo();
    const text = await cli(['report'], { cwd: repo, env: {} });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('No runs yet');
    expect(text.stdout).toContain('pi-harness once');
    const json = await cli(['report', '--json'], { cwd: repo, env: {} });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      schemaVersion: 1,
      empty: true,
      runs: [],
      iterations: [],
      parkedTasks: [],
      rescueRefs: { total: 0, refs: [] },
    });
  });

  it('rejects counts that are not positive whole numbers', async () => {
    const repo = await makeRepo();
    for (const bad of ['0', '-1', 'ten', '1.5']) {
      const result = await cli(['report', '--runs', bad], { cwd: repo, env: {} });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--runs expects a whole number');
    }
  });

  it('prints the runs and iterations sections with the task, commit and verdict', async () => {
    const repo = await makeRepo();
    const config = await configFor(repo);
    const j = new JournalWriter(config.piRuntimeDir, '20261124T010000Z-aaaaaa');
    await j.add(
      { type: 'run_start', command: 'once', pid: 1, repoRoot: repo, transport: 'rpc', version: '0' },
      ...succeededIteration(1, 'Write the parser', 'abcdef1234'.repeat(4)),
    );
    await j.add({ type: 'run_end', exitCode: 0, reason: 'one iteration done', iterations: 1, succeeded: 1 });
    expect((await cli(['report'], { cwd: repo, env: { FORCE_COLOR: '1' } })).stdout).toContain('\u001b[32msucceeded');
    const { stdout } = await cli(['report'], { cwd: repo, env: {} });
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).toMatch(
      /1\s+\S+ \S+\s+succeeded\s+committed\s+passed\s+PASS\s+abcdef1234\s+9\.0s\s+1\.5k\/150\s+\$0\.0300\s+3\s+Phase one \/ Write the parser/,
    );
    expect(stdout).toContain('time: developer 4.0s · tester 2.0s · verification 1.5s');
    expect(stdout).toContain('one iteration done');
  });
});
