import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moveAside, readJsonFile, writeFileAtomic } from '../../src/util/atomic-file.js';
import {
  beginIteration,
  emptyState,
  failureLimitReached,
  isParked,
  loadState,
  parkedTasks,
  recordIterationResult,
  saveState,
  StateStore,
  type HarnessState,
  type InProgressIteration,
  type RecordedStatus,
} from '../../src/runtime/state.js';
import { NewerVersionError } from '../../src/runtime/newer-version.js';
import { tempDir } from '../helpers/temp-dir.js';

const iteration = (n: number, taskId = 'task-a'): InProgressIteration => ({
  runId: 'run-1',
  iteration: n,
  taskId,
  taskText: 'Do the thing',
  startCommit: 'a'.repeat(40),
  startedAt: '2025-01-01T00:00:00.000Z',
});

function run(state: HarnessState, taskId: string, statuses: RecordedStatus[], maxTaskAttempts = 3) {
  const parkedNow: boolean[] = [];
  for (const status of statuses) {
    const result = recordIterationResult(beginIteration(state, iteration(state.totalIterations + 1, taskId)), {
      taskId,
      status,
      reason: `r-${status}`,
      maxTaskAttempts,
    });
    state = result.state;
    parkedNow.push(result.parkedNow);
  }
  return { state, parkedNow };
}

describe('atomic files', () => {
  it('replaces a file atomically and leaves no temporary files', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'nested', 'state.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(path.dirname(file))).toEqual(['state.json']);
  });

  it('moves a corrupt file aside, never overwriting an earlier copy', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    const at = new Date('2025-02-03T04:05:06.789Z');
    await writeFile(file, 'first');
    const a = await moveAside(file, 'corrupt', at);
    await writeFile(file, 'second');
    const b = await moveAside(file, 'corrupt', at);
    expect(a).not.toBe(b);
    expect(await readFile(a, 'utf8')).toBe('first');
    expect(await readFile(b, 'utf8')).toBe('second');
    expect(existsSync(file)).toBe(false);
  });

  it('reports missing, valid and invalid JSON distinctly', async () => {
    const file = path.join(await tempDir(), 'x.json');
    const validate = (value: unknown) => {
      if (typeof value !== 'number') throw new Error('expected a number');
      return value;
    };
    expect(await readJsonFile(file, validate)).toEqual({ kind: 'missing' });
    await writeFile(file, '42');
    expect(await readJsonFile(file, validate)).toEqual({ kind: 'ok', value: 42 });
    await writeFile(file, '"text"');
    const result = await readJsonFile(file, validate);
    expect(result).toMatchObject({ kind: 'corrupt', reason: 'expected a number' });
  });
});

describe('harness state', () => {
  it('starts empty when there is no file', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const loaded = await loadState(file);
    expect(loaded.kind).toBe('new');
    expect(loaded.state).toMatchObject({
      version: 1,
      tasks: {},
      consecutiveFailures: 0,
      totalIterations: 0,
      inProgress: null,
    });
  });

  it('keeps counters and the in-progress iteration across a reload', async () => {
    const file = path.join(await tempDir(), 'runtime', 'state.json');
    let { state } = run(emptyState(), 'task-a', ['failed', 'stalled']);
    state = run(state, 'task-b', ['succeeded']).state;
    state = beginIteration(state, { ...iteration(4, 'task-a'), preDirtyRef: 'refs/pi-harness/predirty/run-1/4' });
    await saveState(file, state);

    const loaded = await loadState(file);
    expect(loaded.kind).toBe('loaded');
    expect(loaded.state).toEqual(state);
    expect(loaded.state.tasks['task-a']).toMatchObject({
      attempts: 2,
      failures: 2,
      lastStatus: 'stalled',
      lastReason: 'r-stalled',
      parked: false,
    });
    expect(loaded.state.totalIterations).toBe(3);
    expect(loaded.state.consecutiveFailures).toBe(0); // task-b succeeded last
    expect(loaded.state.inProgress?.preDirtyRef).toBe('refs/pi-harness/predirty/run-1/4');
  });

  it('parks a task at maxTaskAttempts failures and counts consecutive failures until a success', () => {
    const { state, parkedNow } = run(emptyState(), 'task-a', [
      'failed',
      'interrupted',
      'blocked',
      'skipped',
      'crashed',
      'failed',
    ]);
    expect(parkedNow).toEqual([false, false, false, false, true, false]);
    const task = state.tasks['task-a']!;
    expect(task).toMatchObject({ attempts: 6, failures: 4, parked: true, lastStatus: 'failed' });
    expect(task.parkedAt).toBeDefined();
    expect(isParked(state, 'task-a')).toBe(true);
    expect(parkedTasks(state)).toEqual(['task-a']);
    // interrupted and skipped neither extend nor break the run of failures
    expect(state.consecutiveFailures).toBe(4);
    expect(failureLimitReached(state, 3)).toBe(true);
    const after = run(state, 'task-b', ['succeeded']).state;
    expect(after.consecutiveFailures).toBe(0);
    expect(failureLimitReached(after, 3)).toBe(false);
    expect(after.tasks['task-a']).toEqual(task); // another task's success resets nothing of this one
  });

  it('clears the in-progress record when a result is recorded, and refuses to start over an unresolved one', () => {
    const started = beginIteration(emptyState(), iteration(1));
    expect(() => beginIteration(started, iteration(2))).toThrow(
      /iteration 1 of run run-1 \(task task-a\) is still recorded as in progress/,
    );
    const { state } = recordIterationResult(started, {
      taskId: 'task-a',
      status: 'crashed',
      reason: 'harness killed',
      maxTaskAttempts: 3,
    });
    expect(state.inProgress).toBeNull();
    expect(state.tasks['task-a']?.failures).toBe(1);
  });

  it('moves an unparseable state file aside and reports it, keeping its bytes', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    await writeFile(file, '{"version":1,"tasks":{"task-a":{"attempts":2');
    const loaded = await loadState(file);
    expect(loaded.kind).toBe('corrupt');
    if (loaded.kind !== 'corrupt') return;
    expect(loaded.movedTo).toMatch(/state\.json\.corrupt-/);
    expect(await readFile(loaded.movedTo, 'utf8')).toBe('{"version":1,"tasks":{"task-a":{"attempts":2');
    expect(existsSync(file)).toBe(false);
    expect(loaded.state.totalIterations).toBe(0);
    // saving the fresh state never touches the copy
    await saveState(file, loaded.state);
    expect(await readFile(loaded.movedTo, 'utf8')).toBe('{"version":1,"tasks":{"task-a":{"attempts":2');
  });

  it('treats valid JSON with an invalid shape as corrupt, naming the problem', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const bad = {
      ...emptyState(),
      tasks: { 'task-a': { attempts: -1, failures: 0, lastStatus: 'failed', lastAt: 'x', parked: false } },
    };
    await writeFile(file, JSON.stringify(bad));
    const loaded = await loadState(file);
    expect(loaded.kind).toBe('corrupt');
    if (loaded.kind === 'corrupt') expect(loaded.reason).toMatch(/tasks\["task-a"\]\.attempts/);
  });

  it('refuses to save a state that would not load back', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const broken = { ...emptyState(), totalIterations: -1 };
    await expect(saveState(file, broken)).rejects.toThrow(/totalIterations/);
    expect(existsSync(file)).toBe(false);
  });

  it('leaves a state file of a newer version as it is and says which file it is', async () => {
    const file = path.join(await tempDir(), 'state.json');
    const newer = JSON.stringify({ version: 2, tasks: {}, lanes: [] });
    await writeFile(file, newer);
    await expect(loadState(file)).rejects.toBeInstanceOf(NewerVersionError);
    await expect(loadState(file)).rejects.toThrow(`${file} was written by a newer pi-harness (format version 2`);
    expect(await readFile(file, 'utf8')).toBe(newer);
    expect(await readdir(path.dirname(file))).toEqual(['state.json']);
  });
});

describe('StateStore', () => {
  async function places() {
    const dir = await tempDir();
    return { stateFile: path.join(dir, 'git', 'state.json'), stateProjection: path.join(dir, 'runtime', 'state.json') };
  }

  it('saves the state and its projection; the in-progress HEAD and commit are kept', async () => {
    const where = await places();
    const store = new StateStore(where);
    const state = beginIteration(emptyState(), { ...iteration(1), head: 'b'.repeat(40), commit: 'c'.repeat(40) });
    await store.save(state);
    const loaded = await store.load();
    expect(loaded).toMatchObject({
      kind: 'loaded',
      state: { inProgress: { head: 'b'.repeat(40), commit: 'c'.repeat(40) } },
    });
    expect(JSON.parse(await readFile(where.stateProjection, 'utf8'))).toEqual(
      JSON.parse(await readFile(where.stateFile, 'utf8')),
    );
    await rm(path.dirname(where.stateProjection), { recursive: true }); // an agent's rm -rf of the runtime dir
    await store.reproject();
    expect(existsSync(where.stateProjection)).toBe(true);
  });

  it('carries over the state an earlier version kept where the projection now goes, never moving it', async () => {
    const where = await places();
    const older = beginIteration(emptyState(), iteration(4));
    await saveState(where.stateProjection, older);
    const loaded = await new StateStore(where).load();
    expect(loaded).toMatchObject({
      kind: 'imported',
      from: where.stateProjection,
      state: { inProgress: { iteration: 4 } },
    });
    expect(existsSync(where.stateProjection)).toBe(true);
    // A newer version's file there refuses, as in the state's own place.
    await writeFile(where.stateProjection, JSON.stringify({ version: 3 }));
    await expect(new StateStore(where).checkVersions()).rejects.toBeInstanceOf(NewerVersionError);
    await expect(new StateStore(where).load()).rejects.toBeInstanceOf(NewerVersionError);
  });

  it('a projection that cannot be written never fails the save', async () => {
    const where = await places();
    await writeFile(path.join(path.dirname(where.stateFile), '..', 'runtime'), 'a file where the directory should be');
    const errors: unknown[] = [];
    await new StateStore(where, (error) => errors.push(error)).save(emptyState());
    expect(existsSync(where.stateFile)).toBe(true);
    expect(errors).toHaveLength(1);
  });
});
