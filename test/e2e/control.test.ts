/**
 * The control commands against a real run (real pi, scripted model) from a second process: status,
 * steer into the turn in flight, pause / resume, skip of the current task (work kept), retry, stop.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readProcessStartTime } from '../../src/runtime/liveness.js';
import { closedAfterEach } from '../helpers/closing.js';
import { gitSync } from '../helpers/git-repo.js';
import { eventsOf, Gate, runCommand, status, waitForStatus } from './control-helpers.js';
import { loopRepo, say, write } from './loop-helpers.js';

const setup = closedAfterEach(loopRepo);
const TASKS = '# Build\n\n- [ ] First task\n- [ ] Second task\n- [ ] Third task\n';
const STEER = 'Also write NOTE.txt saying hello';
const STEER_NEXT = 'Keep the second file short';

const messagesOf = (body: unknown) => JSON.stringify((body as { messages?: unknown })?.messages ?? []);

describe('control commands against a real run', () => {
  it('status, steer, pause/resume, skip and retry, each acknowledged in the journal', {
    timeout: 150_000,
  }, async () => {
    const gates = await Promise.all(['one', 'two', 'three'].map((name) => Gate.make(name)));
    const r = await setup({
      tasks: TASKS,
      plans: {
        developer: [
          [gates[0]!.wait(), write('one.txt', '1\n'), say('Done.')],
          [write('two.txt', '2\n'), gates[1]!.wait(), say('Done.')],
          [write('three.txt', '3\n'), gates[2]!.wait(), say('Done.')],
          [write('two.txt', '2 again\n'), say('Done.')],
        ],
        tester: [[say('VERDICT: PASS')]],
      },
    });
    const run = r.spawnCli('run');

    // Iteration 1 is in its developer turn, waiting at the first gate.
    const busy = await waitForStatus(r, (doc) => (doc.turn?.toolCalls ?? 0) >= 1);
    expect(busy.active).toBe(true);
    expect(busy.iteration?.task).toBe('First task');
    expect(busy.tasks).toMatchObject({ current: 1, open: 2 });
    expect(busy.turn).toMatchObject({ role: 'developer', contextWindow: 128000 });
    expect(busy.turn?.contextTokens).toBeGreaterThan(0);

    const steer = await runCommand(r, 'steer', STEER);
    expect(steer.code, steer.stderr).toBe(0);
    expect(steer.stdout).toContain('sending the guidance to the developer turn in flight');
    const pause = await runCommand(r, 'pause');
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toContain('pausing when iteration 1 ends');

    await gates[0]!.open();
    const paused = await waitForStatus(r, (doc) => doc.paused);
    expect(paused.active).toBe(true);
    expect(paused.lastIteration).toMatchObject({ iteration: 1, status: 'succeeded' });
    // pi delivered the guidance after the tool call that was running: the next model request has it.
    const steered = r.server.completionRequests().filter((request) => messagesOf(request.body).includes(STEER));
    expect(steered.length).toBeGreaterThan(0);
    const steerApplied = eventsOf(r.repo, 'control_applied').find((event) => event.action === 'steer');
    expect(steerApplied).toMatchObject({ result: 'applied' });
    expect(String(steerApplied?.detail)).toMatch(/pi delivered it to the developer turn at \d{4}-/);

    // Paused: no model calls; the lock stays held.
    const calls = r.server.completionRequests().length;
    await sleep(800);
    expect(r.server.completionRequests().length).toBe(calls);
    expect((await status(r)).active).toBe(true);

    // No turn in flight while paused: guidance waits for the next developer prompt.
    const steerNext = await runCommand(r, 'steer', STEER_NEXT);
    expect(steerNext.code, steerNext.stderr).toBe(0);
    expect(steerNext.stdout).toContain('no turn in flight: the guidance goes into the next developer prompt');
    expect(r.server.completionRequests().some((request) => messagesOf(request.body).includes(STEER_NEXT))).toBe(false);

    const resume = await runCommand(r, 'resume');
    expect(resume.code, resume.stderr).toBe(0);

    // Iteration 2 waits at its gate with two.txt written: skip it.
    await waitForStatus(r, (doc) => doc.iteration?.task === 'Second task' && (doc.turn?.toolCalls ?? 0) >= 2);
    // Iteration 2's developer prompt carried the guidance, from its first model request on.
    const firstOfSecond = r.server
      .completionRequests()
      .find((request) => messagesOf(request.body).includes('Second task'));
    expect(messagesOf(firstOfSecond?.body)).toContain(STEER_NEXT);
    const skip = await runCommand(r, 'skip');
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stdout).toContain('aborting iteration 2');

    // Iteration 3 (Third task) waits at its gate: give Second task back meanwhile.
    await waitForStatus(r, (doc) => doc.iteration?.task === 'Third task' && (doc.turn?.toolCalls ?? 0) >= 2);
    const retry = await runCommand(r, 'retry', 'second');
    expect(retry.code, retry.stderr).toBe(0);
    await gates[1]!.open(); // not reached any more: the skipped turn was aborted
    await gates[2]!.open();

    expect(await run.exited).toBe(0);
    const iterationEnds = eventsOf(r.repo, 'iteration_end');
    expect(iterationEnds.map((event) => [event.iteration, event.recorded, event.reason])).toEqual([
      [1, 'succeeded', 'committed'],
      [2, 'skipped', 'operator_skip'],
      [3, 'succeeded', 'committed'],
      [4, 'succeeded', 'committed'],
    ]);
    // The skipped iteration's work was kept in a rescue ref, not lost.
    const rescue = eventsOf(r.repo, 'rescue')[0]!;
    expect(r.show(String(rescue.ref), 'two.txt')).toBe('2\n');
    expect(eventsOf(r.repo, 'task_parked')).toMatchObject([{ cause: 'operator' }]);
    expect(eventsOf(r.repo, 'task_unparked')).toHaveLength(1);
    const results = eventsOf(r.repo, 'control_applied').map((event) => [event.action, event.result]);
    expect(results).toEqual([
      ['steer', 'applied'],
      ['pause', 'applied'],
      ['resume', 'applied'],
      ['steer', 'applied'], // when iteration 2's developer prompt was built
      ['skip', 'applied'],
      ['retry', 'applied'],
    ]);
    expect(r.show('HEAD', 'TODOS.md')).not.toContain('[ ]');
    const nextApplied = eventsOf(r.repo, 'control_applied').filter((event) => event.action === 'steer')[1];
    expect(nextApplied?.detail).toBe('put into the developer prompt of iteration 2');
  });

  it('stop ends the run like SIGTERM: turn aborted, work kept, lock released, exit 130', {
    timeout: 90_000,
  }, async () => {
    const gate = await Gate.make('stop');
    const r = await setup({
      tasks: TASKS,
      plans: { developer: [[write('partial.txt', 'half done\n'), gate.wait(), say('Done.')]] },
    });
    const run = r.spawnCli('run');
    await waitForStatus(r, (doc) => (doc.turn?.toolCalls ?? 0) >= 2);
    const stop = await runCommand(r, 'stop');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain('stopping');
    expect(await run.exited).toBe(130);
    const after = await status(r);
    expect(after.active).toBe(false);
    expect(after.run?.stopReason).toBe('stopped by the operator (pi-harness stop)');
    expect(gitSync(r.repo, 'status', '--porcelain')).toBe('');
    const rescue = eventsOf(r.repo, 'rescue')[0]!;
    expect(r.show(String(rescue.ref), 'partial.txt')).toBe('half done\n');
    expect(eventsOf(r.repo, 'iteration_end')[0]).toMatchObject({ recorded: 'interrupted' });
  });

  it('a control command without an active run, or without an answer (default 10 s), exits 1 and says why', {
    timeout: 45_000,
  }, async () => {
    const r = await setup({ tasks: TASKS, plans: {} });
    const none = await runCommand(r, 'pause');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no run is active');

    // A live lock (this test process) whose "run" never reads its inbox.
    const lock = path.join(r.repo, '.git', 'pi-harness', 'lock.json');
    await mkdir(path.dirname(lock), { recursive: true });
    const now = new Date().toISOString();
    await writeFile(
      lock,
      JSON.stringify({
        version: 1,
        runId: '20990101T000000Z-silent',
        pid: process.pid,
        hostname: (await import('node:os')).hostname(),
        startedAt: now,
        processStartTime: readProcessStartTime(process.pid),
        heartbeatAt: now,
        status: 'running',
        command: 'pi-harness run',
      }),
    );
    const started = Date.now();
    const timed = async (run: Promise<Awaited<ReturnType<typeof runCommand>>>) => ({
      ...(await run),
      ms: Date.now() - started,
    });
    // --wait 1, and the default of 10 s, side by side.
    const [silent, defaultWait] = await Promise.all([
      timed(runCommand(r, 'steer', 'hello', '--wait', '1')),
      timed(runCommand(r, 'pause')),
    ]);
    expect(silent.code).toBe(1);
    expect(silent.stderr).toMatch(/did not acknowledge the request within 1s; it was withdrawn/);
    expect(silent.ms).toBeLessThan(8000);
    expect(defaultWait.code).toBe(1);
    expect(defaultWait.stderr).toMatch(/did not acknowledge the request within 10s; it was withdrawn/);
    expect(defaultWait.ms).toBeGreaterThanOrEqual(10_000);
    expect(defaultWait.ms).toBeLessThan(18_000);
    const unknown = await runCommand(r, 'retry', 'no such task');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no task in');
  });
});
