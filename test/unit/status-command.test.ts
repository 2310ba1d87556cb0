/**
 * `status` as a fresh process must answer fast, so it finds the run's files without the config
 * validator and restores the saved fold: these tests hold it to the same answer as the full
 * configuration and a fold of the whole journal, with the snapshot missing, current or stale.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeHistory } from '../../src/bench/report-fixture.js';
import { loadConfig } from '../../src/config/load.js';
import { readRuntimePaths } from '../../src/config/runtime-paths.js';
import { foldSnapshotFileOf } from '../../src/journal/fold-snapshot.js';
import { saveFoldSnapshot } from '../../src/journal/fold-snapshot-save.js';
import { JournalFold } from '../../src/journal/fold/fold.js';
import { readJournalFile } from '../../src/journal/read.js';
import { statusOf } from '../../src/report/status.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

async function gitRepo(): Promise<string> {
  const repo = await tempDir();
  execFileSync('git', ['init', '-q'], { cwd: repo });
  return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: repo, encoding: 'utf8' }).trim();
}

const CASES: { name: string; file?: Record<string, unknown>; env?: NodeJS.ProcessEnv; flag?: string }[] = [
  { name: 'no config file' },
  { name: 'a relative piRuntimeDir', file: { piRuntimeDir: 'state/harness' } },
  { name: 'an absolute piRuntimeDir', file: { piRuntimeDir: '/tmp/pi-harness-elsewhere' } },
  { name: 'activeRunFile of its own', file: { activeRunFile: 'locks/run.json', taskFile: 'T.md' } },
  { name: 'PI_RUNTIME_DIR over the file', file: { piRuntimeDir: 'a' }, env: { PI_RUNTIME_DIR: 'b' } },
  { name: 'an empty PI_RUNTIME_DIR (not set)', file: { piRuntimeDir: 'a' }, env: { PI_RUNTIME_DIR: '  ' } },
  { name: '--config naming another file', file: { piRuntimeDir: 'c' }, flag: 'other.json' },
  { name: 'PI_CONFIG_FILE naming another file', file: { piRuntimeDir: 'd' }, env: { PI_CONFIG_FILE: 'other.json' } },
];

describe('where status finds the run files', () => {
  it.each(CASES)('agrees with the full configuration: $name', async ({ file, env = {}, flag }) => {
    const repo = await gitRepo();
    const named = flag ?? env.PI_CONFIG_FILE;
    if (file) writeFileSync(path.join(repo, named ?? 'pi.config.json'), JSON.stringify(file));
    const options = { repoRoot: repo, cwd: repo, env, ...(flag ? { configFile: flag } : {}) };
    const { config } = await loadConfig(options);
    expect(await readRuntimePaths(options)).toEqual({
      repoRoot: config.repoRoot,
      piRuntimeDir: config.piRuntimeDir,
      activeRunFile: config.activeRunFile,
    });
  });

  it('leaves what it cannot read plainly to the full loader, whose error then stands (exit 2)', async () => {
    const repo = await gitRepo();
    writeFileSync(path.join(repo, 'pi.config.json'), JSON.stringify({ piRuntimeDir: 42 }));
    expect(await readRuntimePaths({ repoRoot: repo, cwd: repo, env: {} })).toBeUndefined();
    const result = await cli(['status', '--json'], { cwd: repo });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('piRuntimeDir');
  });
});

async function historyIn(runtime: string) {
  const repo = await gitRepo();
  writeFileSync(path.join(repo, 'pi.config.json'), JSON.stringify({ piRuntimeDir: runtime }));
  const root = path.join(repo, runtime);
  await writeHistory(root, { runs: 1, iterationsPerRun: 12 });
  const runId = readdirSync(path.join(root, 'runs'))[0]!;
  return { repo, journal: path.join(root, 'runs', runId, 'journal.jsonl') };
}

function wholeFold(journal: string): JournalFold {
  const fold = new JournalFold();
  for (const event of readJournalFile(journal).events) fold.apply(event);
  return fold;
}

/**
 * The run in these journals never ended, so its elapsed seconds count up to "now", which differs
 * between the CLI and this test by the time between them: that one figure is left out.
 */
function normalized(doc: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as { budgets?: { kind: string; used: number }[] };
  for (const budget of copy.budgets ?? []) if (budget.kind === 'run_seconds') budget.used = 0;
  return copy;
}

async function statusJson(repo: string) {
  const result = await cli(['status', '--json'], { cwd: repo });
  expect(result.code).toBe(0);
  return normalized(JSON.parse(result.stdout));
}

const expected = (repo: string, journal: string) =>
  normalized(statusOf(wholeFold(journal), { repo, active: false, staleLock: null, now: Date.now() }));

describe('status --json on a configured runtime directory', () => {
  it('says what a fold of the whole journal says, with the snapshot missing, current or stale', async () => {
    const { repo, journal } = await historyIn('var/h');
    expect(await statusJson(repo)).toEqual(expected(repo, journal));

    const events = readJournalFile(journal).events;
    saveFoldSnapshot(journal, wholeFold(journal), events.at(-1)!.seq);
    expect(readFileSync(foldSnapshotFileOf(journal), 'utf8')).toContain('"version":1');
    expect(await statusJson(repo)).toEqual(expected(repo, journal));

    // Stale: the journal went on after the snapshot (an event the snapshot has not seen).
    const last = events.at(-1)!;
    const extra = { v: 1, runId: last.runId, at: last.at, seq: last.seq + 1, type: 'control_received' };
    appendFileSync(journal, `${JSON.stringify({ ...extra, id: 'c9', action: 'pause', source: 'cli', detail: 'x' })}\n`);
    const after = (await statusJson(repo)) as { pendingControls: unknown[] };
    expect(after).toEqual(expected(repo, journal));
    expect(after.pendingControls).toEqual([{ id: 'c9', action: 'pause', plan: 'x' }]);

    // A snapshot the journal does not continue (another journal written in its place) is ignored.
    writeFileSync(journal, readFileSync(journal, 'utf8').split('\n').slice(0, 40).join('\n').concat('\n'));
    expect(await statusJson(repo)).toEqual(expected(repo, journal));
  });

  it('as text, groups the token count in thousands as en-US does', async () => {
    const { repo } = await historyIn('h');
    const doc = (await statusJson(repo)) as { tokens: number };
    expect(doc.tokens).toBeGreaterThan(1000);
    const text = await cli(['status'], { cwd: repo });
    expect(text.stdout).toContain(`usage: ${doc.tokens.toLocaleString('en-US')} tokens`);
  });
});

/** The modules a source file loads as it is imported: static imports, not `import type` or `import()`. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;]*?\sfrom\s+)?'([^']+)';/gms)) {
    found.push(match[1]!);
  }
  return found;
}

function loadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of staticImports(file)) {
      if (!specifier.startsWith('.')) {
        seen.add(specifier);
        continue;
      }
      visit(path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'));
    }
  };
  visit(entry);
  return seen;
}

describe("status's module graph", () => {
  it('loads neither the config validator nor the loop, pi, the dashboard or the other commands', () => {
    const src = path.resolve(import.meta.dirname, '../../src');
    const loaded = [
      ...loadedBy(path.join(src, 'cli/program.ts')),
      ...loadedBy(path.join(src, 'cli/commands/status.ts')),
    ];
    const relative = loaded.map((file) => (file.startsWith(src) ? path.relative(src, file) : file));
    expect(relative).toContain('journal/fold-snapshot.ts');
    expect(relative.filter((file) => /^(zod|jsonc-parser|@earendil-works)/.test(file))).toEqual([]);
    expect(relative.filter((file) => /^(config\/(schema|load|env)|loop|agent|dashboard|demo)\b/.test(file))).toEqual(
      [],
    );
    expect(relative.filter((file) => file.startsWith('cli/commands/') && file !== 'cli/commands/status.ts')).toEqual(
      [],
    );
  });
});
