/** Operator control's pure parts: what each request does where the run is, the inbox's claim, task names. */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InboxWatcher, postRequest, withdrawRequest, type Delivery } from '../../src/control/inbox.js';
import { newControlId, parseControlRequest } from '../../src/control/request.js';
import { planControl, planDetail, type ControlSituation } from '../../src/loop/control-decide.js';
import { whenInterrupted } from '../../src/loop/decide.js';
import { matchTask, parseTasks } from '../../src/tasks/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const idle: ControlSituation = { paused: false, pauseRequested: false, iteration: null, steerableTurn: null };
const busy: ControlSituation = {
  ...idle,
  iteration: { number: 4, taskId: 'abc' },
  steerableTurn: { role: 'developer' },
};

describe('planControl', () => {
  it('pause waits for the iteration in flight, or takes effect before the next one; twice is nothing', () => {
    expect(planControl({ action: 'pause' }, busy)).toEqual({ kind: 'pause', after: 4 });
    expect(planControl({ action: 'pause' }, idle)).toEqual({ kind: 'pause', after: null });
    expect(planControl({ action: 'pause' }, { ...idle, paused: true }).kind).toBe('nothing');
    expect(planControl({ action: 'pause' }, { ...busy, pauseRequested: true }).kind).toBe('nothing');
    expect(planDetail({ kind: 'pause', after: 4 })).toContain('pausing when iteration 4 ends');
  });

  it('resume goes on from a pause, cancels one not yet in effect, and is nothing otherwise', () => {
    expect(planControl({ action: 'resume' }, { ...idle, paused: true })).toEqual({ kind: 'resume', wasPaused: true });
    expect(planControl({ action: 'resume' }, { ...busy, pauseRequested: true })).toEqual({
      kind: 'resume',
      wasPaused: false,
    });
    expect(planControl({ action: 'resume' }, busy)).toEqual({ kind: 'nothing', why: 'the run is not paused' });
  });

  it('skip aborts the iteration on the current task (named or not), else parks between iterations', () => {
    expect(planControl({ action: 'skip' }, busy)).toEqual({ kind: 'skip_current', iteration: 4, taskId: 'abc' });
    expect(planControl({ action: 'skip', task: 'abc' }, busy).kind).toBe('skip_current');
    expect(planControl({ action: 'skip', task: 'other' }, busy)).toEqual({ kind: 'park', taskId: 'other' });
    expect(planControl({ action: 'skip' }, idle)).toEqual({ kind: 'park', taskId: null });
  });

  it('steer goes into a steerable turn, else into the next developer prompt; retry and stop', () => {
    expect(planControl({ action: 'steer' }, busy)).toEqual({ kind: 'steer_turn', role: 'developer' });
    expect(planControl({ action: 'steer' }, { ...busy, steerableTurn: null })).toEqual({ kind: 'steer_prompt' });
    expect(planControl({ action: 'retry', task: 'x' }, idle)).toEqual({ kind: 'unpark', taskId: 'x' });
    expect(planControl({ action: 'stop' }, busy)).toEqual({ kind: 'stop' });
  });
});

describe('whenInterrupted', () => {
  it('a skip ends the iteration skipped (operator_skip); a commit waiting for its review still stands', () => {
    expect(whenInterrupted({ kind: 'tester', recheck: false }, 'skip')).toEqual({
      kind: 'end',
      status: 'skipped',
      reason: 'operator_skip',
    });
    expect(whenInterrupted({ kind: 'visual' }, 'skip')).toEqual({
      kind: 'end',
      status: 'succeeded',
      reason: 'committed',
    });
    expect(whenInterrupted({ kind: 'developer' })).toEqual({ kind: 'end', status: 'failed', reason: 'interrupted' });
  });
});

describe('control requests', () => {
  it('are read from untrusted JSON with a reason for every refusal', () => {
    const id = newControlId();
    expect(parseControlRequest({ id, action: 'steer', source: 'cli', text: ' go ' })).toMatchObject({
      ok: true,
      request: { text: 'go' },
    });
    expect(parseControlRequest({ id, action: 'dance', source: 'cli' })).toMatchObject({ ok: false });
    expect(parseControlRequest({ id, action: 'retry', source: 'cli' })).toEqual({
      ok: false,
      error: 'retry needs the task to retry ("task")',
    });
    expect(parseControlRequest({ id, action: 'steer', source: 'cli', text: '' })).toMatchObject({ ok: false });
    expect(parseControlRequest({ id: '../x', action: 'stop', source: 'cli' })).toMatchObject({ ok: false });
  });
});

describe('the inbox', () => {
  it('hands each request to the run once, oldest first; a withdrawn one never; a bad file as invalid', async () => {
    const dir = path.join(await tempDir(), 'inbox');
    const first = { id: `${newControlId()}`, action: 'pause' as const, source: 'cli' as const, requestedAt: '' };
    await postRequest(dir, first);
    const second = { ...first, id: `${newControlId(new Date(Date.now() + 1000))}`, action: 'resume' as const };
    await postRequest(dir, second);
    const gone = { ...first, id: `${newControlId(new Date(Date.now() + 2000))}` };
    await postRequest(dir, gone);
    expect(await withdrawRequest(dir, gone.id)).toBe(true);
    await writeFile(path.join(dir, 'zzz-broken.json'), '{oops');
    const delivered: Delivery[] = [];
    const inbox = new InboxWatcher(dir, (delivery) => delivered.push(delivery), { pollMs: 20 });
    await inbox.start();
    await inbox.kick();
    await inbox.kick();
    await inbox.close({ remove: true });
    expect(delivered.map((d) => (d.kind === 'request' ? d.request.action : d.kind))).toEqual([
      'pause',
      'resume',
      'invalid',
    ]);
    expect(await withdrawRequest(dir, first.id)).toBe(false); // claimed: too late to withdraw
    await mkdir(dir, { recursive: true });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('matchTask', () => {
  const { tasks } = parseTasks('- [ ] Parse numbers\n- [ ] Parse strings\n- [ ] Write the README\n');
  it('finds a task by id, id prefix, text or a unique part of it; says when a name is ambiguous', () => {
    const readme = tasks[2]!;
    expect(matchTask(tasks, readme.id)).toEqual({ kind: 'found', task: readme });
    expect(matchTask(tasks, readme.id.slice(0, 6))).toEqual({ kind: 'found', task: readme });
    expect(matchTask(tasks, 'readme')).toEqual({ kind: 'found', task: readme });
    expect(matchTask(tasks, 'parse strings')).toEqual({ kind: 'found', task: tasks[1] });
    expect(matchTask(tasks, 'parse')).toMatchObject({ kind: 'ambiguous', candidates: [tasks[0], tasks[1]] });
    expect(matchTask(tasks, 'deploy')).toEqual({ kind: 'none' });
  });
});
