/** attachProjections at run start: the killed previous run is brought up to date, old runs pruned, events followed live. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { attachProjections } from '../../src/journal/attach.js';
import { Journal } from '../../src/journal/writer.js';
import { harnessHome, journalFileOf } from '../../src/runtime/harness-home.js';
import { createRedactor } from '../../src/redact/index.js';
import { makeRepo } from '../helpers/git-repo.js';
import { sampleRun } from '../helpers/journal-events.js';

const redactor = createRedactor([{ name: 'MY_TOKEN', value: 'supersecretvalue123' }]);

describe('attachProjections', () => {
  it('rebuilds the projections of a previous run that never finished, redacts its pi sessions, prunes old runs', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'attach-'));
    const { config } = await loadConfig({ repoRoot: root, cwd: root, env: { PI_KEEP_RUNS: '2' } });
    const runs = path.join(config.piRuntimeDir, 'runs');
    const oldest = '20250101T000000Z-000001';
    mkdirSync(path.join(runs, oldest), { recursive: true });
    writeFileSync(path.join(runs, oldest, 'journal.jsonl'), '');
    // The killed run: a journal without run_end, no projections, a session with a secret in it.
    const killed = '20260101T000000Z-abcdef';
    const events = sampleRun(killed, root).slice(0, 12);
    mkdirSync(path.join(runs, killed, 'pi-sessions'), { recursive: true });
    writeFileSync(path.join(runs, killed, 'journal.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    writeFileSync(
      path.join(runs, killed, 'pi-sessions', 's.jsonl'),
      `${JSON.stringify({ text: 'out: supersecretvalue123' })}\n`,
    );

    const current = '20260102T000000Z-123456';
    const journal = new Journal(path.join(runs, current, 'journal.jsonl'), current, { redactor });
    const result = attachProjections(journal, config, { redactor, home: await harnessHome(config) });

    expect(result.pruned.map((dir) => path.basename(dir))).toEqual([oldest]);
    expect(readdirSync(runs).sort()).toEqual([killed, current]);
    expect(result.recovered).toMatchObject({ runId: killed, events: 12 });
    expect(JSON.parse(readFileSync(path.join(runs, killed, 'summary.json'), 'utf8'))).toMatchObject({
      finished: false,
      current: { iteration: 1 },
    });
    expect(readFileSync(config.logFile, 'utf8').trim().split('\n')).toHaveLength(12);
    expect(existsSync(path.join(config.failureArtifactDir, `${killed}-iteration-1.md`))).toBe(true);
    expect(readFileSync(path.join(runs, killed, 'pi-sessions', 's.jsonl'), 'utf8')).toContain('[redacted:MY_TOKEN]');

    journal.append({ type: 'run_start', command: 'once', pid: 1, repoRoot: root, transport: 'mock', version: 'x' });
    journal.append({ type: 'error', message: 'a tool printed supersecretvalue123' });
    const log = readFileSync(config.logFile, 'utf8').trim().split('\n');
    expect(log).toHaveLength(14);
    expect(log.at(-1)).toContain(`${current}#2 error: a tool printed [redacted:MY_TOKEN]`);
    expect(JSON.parse(readFileSync(path.join(runs, current, 'summary.json'), 'utf8'))).toMatchObject({
      runId: current,
      errors: [expect.objectContaining({ message: 'a tool printed [redacted:MY_TOKEN]' })],
    });
  });

  it('recreates a deleted runtime directory and rebuilds every projection from the journals', async () => {
    const root = await makeRepo();
    const { config } = await loadConfig({ repoRoot: root, cwd: root, env: {} });
    const home = await harnessHome(config);
    const earlier = '20260101T000000Z-abcdef';
    const events = sampleRun(earlier, root);
    mkdirSync(path.dirname(journalFileOf(home, earlier)), { recursive: true });
    writeFileSync(journalFileOf(home, earlier), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const current = '20260102T000000Z-123456';
    const journal = new Journal(journalFileOf(home, current), current, { redactor });
    const recreated: number[] = [];
    attachProjections(journal, config, { redactor, home, onRuntimeDirRecreated: (r) => recreated.push(r.runs) });
    journal.append({ type: 'run_start', command: 'once', pid: 1, repoRoot: root, transport: 'mock', version: 'x' });
    const before = readFileSync(config.logFile, 'utf8');

    rmSync(config.piRuntimeDir, { recursive: true, force: true }); // an agent's rm -rf .pi-harness
    journal.append({ type: 'warning', message: 'after the deletion' });
    expect(recreated).toEqual([2]);
    const log = readFileSync(config.logFile, 'utf8');
    expect(log.startsWith(before)).toBe(true); // both runs' lines, in their order
    expect(log.trim().split('\n')).toHaveLength(events.length + 2);
    expect(log.trim().split('\n').at(-1)).toContain('after the deletion');
    expect(existsSync(path.join(config.piRuntimeDir, 'runs', earlier, 'summary.json'))).toBe(true);
    expect(
      JSON.parse(readFileSync(path.join(config.piRuntimeDir, 'runs', current, 'summary.json'), 'utf8')),
    ).toMatchObject({
      runId: current,
      finished: false,
    });
    journal.append({ type: 'warning', message: 'and one more' });
    expect(readFileSync(config.logFile, 'utf8').trim().split('\n')).toHaveLength(events.length + 3);
    expect(recreated).toHaveLength(1);
  });

  it('writes the "last ..." files a moment later, and every one of them by the time run_end is through', async () => {
    const root = await makeRepo();
    const { config } = await loadConfig({ repoRoot: root, cwd: root, env: {} });
    const home = await harnessHome(config);
    const runId = '20260102T000000Z-123456';
    const journal = new Journal(journalFileOf(home, runId), runId, { redactor });
    attachProjections(journal, config, { redactor, home });
    journal.append({ type: 'run_start', command: 'once', pid: 1, repoRoot: root, transport: 'mock', version: 'x' });
    journal.append({
      type: 'turn_start',
      iteration: 1,
      role: 'developer',
      step: 'developer',
      prompt: 'first prompt',
      promptBytes: 12,
    });
    journal.append({
      type: 'turn_start',
      iteration: 1,
      role: 'developer',
      step: 'developer',
      prompt: 'supersecretvalue123 prompt',
      promptBytes: 26,
    });
    // Held back: two turn starts in a moment make one write, of the second prompt.
    expect(existsSync(config.lastPromptFile)).toBe(false);
    journal.append({
      type: 'run_end',
      exitCode: 0,
      reason: 'done',
      iterations: 1,
      succeeded: 1,
      result: 'succeeded',
      stop: 'all_done',
    });
    expect(readFileSync(config.lastPromptFile, 'utf8')).toBe('[redacted:MY_TOKEN] prompt');
  });
});
