/** Projection files on disk: live writes equal a rebuild, rebuilds are idempotent, the CSV column set is stable. */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/journal/events.js';
import { readJournalFile } from '../../src/journal/read.js';
import { csvField, csvRow, TELEMETRY_CSV_HEADER } from '../../src/journal/projections/telemetry-csv.js';
import { TELEMETRY_COLUMNS } from '../../src/journal/projections/telemetry-record.js';
import { rebuildProjections } from '../../src/journal/rebuild.js';
import { pruneRunDirs, type RunPlaces } from '../../src/journal/retention.js';
import { ProjectionRunner, projectionTargets } from '../../src/journal/runner.js';
import { FileSink } from '../../src/journal/sink.js';
import { createRedactor } from '../../src/redact/index.js';
import { projectionConfig, RUN_ID, sampleRun } from '../helpers/journal-events.js';

const redactor = createRedactor([{ name: 'MY_TOKEN', value: 'supersecretvalue123' }]);
const tempRoot = () => mkdtempSync(path.join(tmpdir(), 'projections-'));

/** Every file under `dir`, relative path -> content. */
function tree(dir: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const rel = path.relative(dir, full);
      if (skip(rel)) continue;
      if (entry.isDirectory()) walk(full);
      else out[rel] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function writeLive(root: string, events: JournalEvent[]): string {
  const config = projectionConfig(root);
  const sink = new FileSink({ redactor, mode: 'live' });
  const runner = new ProjectionRunner(projectionTargets(config, events[0]!.runId), sink, (name, error) => {
    throw new Error(`${name}: ${(error as Error).message}`);
  });
  const journal = path.join(config.piRuntimeDir, 'runs', events[0]!.runId, 'journal.jsonl');
  mkdirSync(path.dirname(journal), { recursive: true });
  for (const event of events) {
    appendFileSync(journal, `${JSON.stringify(event)}\n`);
    runner.apply(event);
  }
  // The files written a moment late, as the run's end writes them (journal/attach.ts).
  sink.writeLate();
  return journal;
}

const notJournal = (rel: string) => rel.endsWith('journal.jsonl');

describe('live projections and rebuilds agree', () => {
  it('a rebuild from the journal into an empty directory writes exactly what was written live', () => {
    const live = tempRoot();
    const journal = writeLive(live, sampleRun());
    const fresh = tempRoot();
    const result = rebuildProjections(journal, projectionConfig(fresh), { redactor });
    expect(result).toMatchObject({ runId: RUN_ID, events: sampleRun().length, skipped: 0 });
    const written = tree(path.join(live, '.pi-harness'), notJournal);
    expect(Object.keys(written).length).toBeGreaterThan(15);
    expect(tree(path.join(fresh, '.pi-harness'))).toEqual(written);
  });

  it('rebuilding over complete files changes nothing; over files that lost their last records, restores them', () => {
    const root = tempRoot();
    const journal = writeLive(root, sampleRun());
    const rt = path.join(root, '.pi-harness');
    const before = tree(rt);
    rebuildProjections(journal, projectionConfig(root), { redactor });
    expect(tree(rt)).toEqual(before);

    const dropLastLine = (file: string) => writeFileSync(file, readFileSync(file, 'utf8').replace(/[^\n]*\n$/, ''));
    for (const name of [
      'harness.log',
      'telemetry.csv',
      'telemetry.jsonl',
      'token-usage.jsonl',
      `runs/${RUN_ID}/run.log`,
    ])
      dropLastLine(path.join(rt, name));
    rmSync(path.join(rt, 'runs', RUN_ID, 'summary.json'));
    rmSync(path.join(rt, 'last-iteration.json'));
    rebuildProjections(journal, projectionConfig(root), { redactor });
    expect(tree(rt)).toEqual(before);
  });

  it('a torn last line (a crash mid-write) is closed and the record appended again after it', () => {
    const root = tempRoot();
    const events = sampleRun();
    const journal = writeLive(root, events);
    const log = path.join(root, '.pi-harness', 'harness.log');
    const lines = readFileSync(log, 'utf8').split('\n');
    writeFileSync(log, `${lines.slice(0, -2).join('\n')}\n${lines.at(-2)!.slice(0, 20)}`);
    rebuildProjections(journal, projectionConfig(root), { redactor });
    const repaired = readFileSync(log, 'utf8').split('\n');
    expect(repaired.at(-2)).toBe(lines.at(-2));
    expect(repaired.at(-3)).toBe(lines.at(-2)!.slice(0, 20));
  });

  it('reads a journal whose last line was torn by a crash', () => {
    const root = tempRoot();
    const journal = writeLive(root, sampleRun());
    appendFileSync(journal, '{"v":1,"runId":"x","at":"2026');
    expect(readJournalFile(journal)).toMatchObject({ events: expect.any(Array), skipped: 1 });
    expect(readJournalFile(journal).events).toHaveLength(sampleRun().length);
  });

  it('redacts what projections write even when the journal was not redacted', () => {
    const root = tempRoot();
    const events = sampleRun().map((event) =>
      event.type === 'verification' ? { ...event, output: 'leaked supersecretvalue123\n' } : event,
    );
    writeLive(root, events);
    const all = JSON.stringify(tree(path.join(root, '.pi-harness'), notJournal));
    expect(all).not.toContain('supersecretvalue123');
    expect(all).toContain('[redacted:MY_TOKEN]');
  });
});

describe('telemetry CSV', () => {
  it('has a stable column set starting with run_id, each column documented in docs/telemetry.md', () => {
    expect(TELEMETRY_CSV_HEADER).toBe(
      'run_id,iteration,started_at,ended_at,task_id,task_text,task_phase,status,reason,developer,verification,verdict,commit,' +
        'duration_ms,developer_ms,developer_fix_ms,tester_ms,visual_review_ms,verification_ms,verification_runs,turns,model_requests,' +
        'tokens_input,tokens_output,tokens_cache_read,tokens_cache_write,cost_usd,tool_calls,tool_errors,changed_files,models',
    );
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/telemetry.md'), 'utf8');
    for (const column of TELEMETRY_COLUMNS) expect(doc).toMatch(new RegExp(`^\\| \`${column}\` \\|`, 'm'));
  });

  it('quotes commas and quotes, and keeps one record on one line', () => {
    expect(csvField('a, "b"')).toBe('"a, ""b"""');
    expect(csvField('two\nlines')).toBe('two lines');
    expect(csvField(null)).toBe('');
    const record = Object.fromEntries(
      TELEMETRY_COLUMNS.map((c) => [c, c === 'task_text' ? 'Fix, then\n"ship"' : 1]),
    ) as any;
    expect(csvRow(record).split('\n')).toHaveLength(1);
    expect(csvRow(record).split(',')).toHaveLength(TELEMETRY_COLUMNS.length + 1);
  });

  it('never writes rows under an older header: the old file is moved aside and a new one started', () => {
    const root = tempRoot();
    const csv = path.join(root, '.pi-harness', 'telemetry.csv');
    mkdirSync(path.dirname(csv), { recursive: true });
    const old = 'run_id,iteration,status\nold-run,1,succeeded\n';
    writeFileSync(csv, old);
    writeLive(root, sampleRun());
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(TELEMETRY_CSV_HEADER);
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((line) => line.startsWith(`${RUN_ID},`))).toBe(true);
    const aside = readdirSync(path.dirname(csv)).filter((name) => /^telemetry\.old-columns-.*\.csv$/.test(name));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(path.dirname(csv), aside[0]!), 'utf8')).toBe(old);
  });

  it('appends to a file with the current header, without a second header', () => {
    const root = tempRoot();
    writeLive(root, sampleRun('20260101T000000Z-aaaaaa'));
    writeLive(root, sampleRun('20260102T000000Z-bbbbbb'));
    const lines = readFileSync(path.join(root, '.pi-harness', 'telemetry.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.filter((line) => line === TELEMETRY_CSV_HEADER)).toHaveLength(1);
    expect(lines).toHaveLength(5);
  });
});

describe('retention', () => {
  /** Runs as earlier versions kept them: projections and journal together under the runtime dir. */
  function runsDir(): { runtime: RunPlaces; runs: string; run: (id: string, journal?: boolean) => string } {
    const root = tempRoot();
    const runs = path.join(root, '.pi-harness', 'runs');
    mkdirSync(runs, { recursive: true });
    return {
      runtime: { runsDir: path.join(root, '.git', 'pi-harness', 'runs'), runtimeRunsDir: runs },
      runs,
      run: (id, journal = true) => {
        mkdirSync(path.join(runs, id));
        if (journal) writeFileSync(path.join(runs, id, 'journal.jsonl'), '');
        return path.join(runs, id);
      },
    };
  }

  it('keeps the newest keepRuns runs (the current one included) and removes older ones', () => {
    const { runtime, runs, run } = runsDir();
    const ids = [
      '20260101T000000Z-000001',
      '20260102T000000Z-000002',
      '20260103T000000Z-000003',
      '20260104T000000Z-000004',
      '20260105T000000Z-000005',
    ];
    for (const id of ids) run(id);
    const current = '20260106T000000Z-000006';
    run(current, false);
    const result = pruneRunDirs(runtime, 3, current);
    expect(readdirSync(runs).sort()).toEqual([ids[3], ids[4], current]);
    expect(result.removed.map((dir) => path.basename(dir)).sort()).toEqual(ids.slice(0, 3));
  });

  it('never removes the current run, anything not named like a run, symlinks, or a fresh run directory without a journal', () => {
    const { runtime, runs, run } = runsDir();
    const outside = mkdtempSync(path.join(tmpdir(), 'outside-'));
    writeFileSync(path.join(outside, 'keep.txt'), 'x');
    symlinkSync(outside, path.join(runs, '20250101T000000Z-aaaaaa'));
    mkdirSync(path.join(runs, 'notes'));
    const fresh = run('20250102T000000Z-bbbbbb', false);
    const stale = run('20250103T000000Z-cccccc', false);
    const old = Date.now() / 1000 - 3600;
    utimesSync(stale, old, old);
    const current = run('20250104T000000Z-dddddd');
    pruneRunDirs(runtime, 1, path.basename(current));
    expect(existsSync(path.join(outside, 'keep.txt'))).toBe(true);
    expect(readdirSync(runs).sort()).toEqual([
      '20250101T000000Z-aaaaaa',
      '20250102T000000Z-bbbbbb',
      '20250104T000000Z-dddddd',
      'notes',
    ]);
    expect(statSync(fresh).isDirectory()).toBe(true);
  });

  it('removes a pruned run in both places: its journal out of reach and its projections in the work tree', () => {
    const root = tempRoot();
    const places = { runsDir: path.join(root, 'safe', 'runs'), runtimeRunsDir: path.join(root, '.pi-harness', 'runs') };
    const make = (dir: string, journal: boolean) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, journal ? 'journal.jsonl' : 'summary.json'), '');
    };
    const [older, newer, current] = ['20260101T000000Z-000001', '20260102T000000Z-000002', '20260103T000000Z-000003'];
    for (const id of [older, newer, current]) {
      make(path.join(places.runsDir, id), true);
      make(path.join(places.runtimeRunsDir, id), false);
    }
    const legacy = '20251231T000000Z-00000f'; // an earlier version's run: journal in the runtime dir
    make(path.join(places.runtimeRunsDir, legacy), true);
    pruneRunDirs(places, 2, current);
    expect(readdirSync(places.runsDir).sort()).toEqual([newer, current]);
    expect(readdirSync(places.runtimeRunsDir).sort()).toEqual([newer, current]);
  });

  it('does nothing when there is no runs directory, or no sensible limit', () => {
    const none = path.join(tempRoot(), 'none');
    expect(pruneRunDirs({ runsDir: none, runtimeRunsDir: none }, 1, 'x').removed).toEqual([]);
    const { runtime, runs, run } = runsDir();
    run('20260101T000000Z-000001');
    expect(pruneRunDirs(runtime, Number.NaN, 'x').removed).toEqual([]);
    expect(pruneRunDirs(runtime, 0, 'x').removed).toEqual([]);
    expect(readdirSync(runs)).toHaveLength(1);
  });
});
