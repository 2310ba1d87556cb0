/**
 * The bench's workload and its tools: the task file (round 1 is the six tasks as they always were;
 * later rounds repeat them on files of their own), the scripted model taking only the steps a
 * prompt asks for (an older harness's prompt gets the older, longer turn), the interleaving of
 * `--compare`, and the flatness check of `--memory-check`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interleaving } from '../../src/bench/compare.js';
import { memoryWindows } from '../../src/bench/memory-check.js';
import type { MemorySample } from '../../src/bench/proc-memory.js';
import { ASKS, expectedPathOf, LONG_RUN_TEST_COMMAND, PLANS, taskFile, TASK_FILE } from '../../src/bench/workload.js';
import { LONG_RUN_WORKLOAD } from '../../src/bench/workloads.js';
import {
  buildDeveloperPrompt,
  buildTesterPrompt,
  bundledTemplatePath,
  DEFAULT_PROMPT_CAPS,
} from '../../src/prompts/index.js';
import { HARNESS_SYSTEM_PROMPT } from '../../src/prompts/system.js';
import type { ReadEvent } from '../../src/journal/decode.js';
import { parseTasks } from '../../src/tasks/index.js';
import type { ScriptStep } from '../../src/scripted-model/index.js';
import { oldPrompt, PI_SYSTEM_PROMPT, playTurn as playBenchTurn } from '../helpers/scripted-turn.js';

const playTurn = (prompt: string, system = PI_SYSTEM_PROMPT) => playBenchTurn(PLANS, prompt, system);

const describeCall = (call: { name: string; arguments: unknown }): string => {
  const args = call.arguments as Record<string, unknown>;
  return `${call.name}${typeof args.command === 'string' ? `: ${args.command.split(' ')[0]} ${args.command.split(' ')[1] ?? ''}`.trimEnd() : ''}`;
};
const describeStep = (step: ScriptStep): string =>
  step.kind === 'tool_calls' ? step.calls.map(describeCall).join(' + ') : step.kind;

/** This harness's prompts for the same task: what a turn of the workload gets now. */
function currentPrompts(): { developer: string; tester: string } {
  const task = parseTasks(TASK_FILE).tasks[0]!;
  const base = {
    task,
    taskFileRelative: 'TODOS.md',
    testCommand: 'node --test',
    commitMode: 'agent' as const,
    caps: DEFAULT_PROMPT_CAPS,
    changedFiles: ['lib/math.mjs', 'test/math.test.mjs'],
  };
  return {
    developer: buildDeveloperPrompt({ ...base, instructions: readFileSync(bundledTemplatePath('developer'), 'utf8') }),
    tester: buildTesterPrompt({
      ...base,
      instructions: readFileSync(bundledTemplatePath('tester'), 'utf8'),
      startCommit: '0123456789abcdef',
      verificationPassed: true,
      changeDiff: 'diff --git a/lib/math.mjs b/lib/math.mjs\n+export const add = (a, b) => a + b;\n',
    }),
  };
}

describe('bench workload', () => {
  it('round 1 is the six tasks in two phases; later rounds repeat them on files of their own', () => {
    expect(TASK_FILE).toBe(taskFile(1));
    expect(TASK_FILE).toContain('## Phase 1: math helpers\n\n- [ ] Add add(a, b) to lib/math.mjs, with a test\n');
    expect(TASK_FILE.match(/- \[ \]/g)).toHaveLength(6);
    const three = taskFile(3);
    const tasks = three.split('\n').filter((line) => line.startsWith('- [ ] '));
    expect(tasks).toHaveLength(18);
    expect(new Set(tasks).size).toBe(18);
    expect(three).toContain('- [ ] Add slug(text) to lib/text3.mjs, with a test\n  - slug(');
    expect(expectedPathOf('Add slug(text) to lib/text3.mjs, with a test')).toBe('tester-fail-fix');
    expect(expectedPathOf('Add sub(a, b) to lib/math2.mjs, with a test')).toBe('verification-fix');
    expect(expectedPathOf('Add sub(a, b) to lib/math1.mjs, with a test')).toBeUndefined();
  });

  it("the older harness's prompts ask for the tick, a test re-run and a look at the diff: the turns of old", () => {
    const developer = oldPrompt('developer');
    const tester = oldPrompt('tester');
    expect(ASKS.toTick(developer)).toBe(true);
    expect(ASKS.toRerunTests(tester)).toBe(true);
    expect(ASKS.toLookUpTheChange(tester)).toBe(true);
    expect(playTurn(developer).map(describeStep)).toEqual([
      'ls',
      'write',
      'write',
      'bash: node --test',
      'edit',
      'text',
    ]);
    expect(playTurn(tester).map(describeStep)).toEqual([
      'bash: git status',
      'bash: node --test',
      'bash: git add',
      'text',
    ]);
  });

  it('the current prompts ask for less: no tick, no re-run, no git diff, independent writes in one reply', () => {
    const { developer, tester } = currentPrompts();
    expect(ASKS.toTick(developer)).toBe(false);
    expect(ASKS.toRerunTests(tester)).toBe(false);
    expect(ASKS.toLookUpTheChange(tester)).toBe(false);
    expect(ASKS.toBatchCalls(HARNESS_SYSTEM_PROMPT)).toBe(true);
    expect(ASKS.toBatchCalls(PI_SYSTEM_PROMPT)).toBe(false);
    expect(playTurn(developer, HARNESS_SYSTEM_PROMPT).map(describeStep)).toEqual([
      'ls',
      'write + write',
      'bash: node --test',
      'text',
    ]);
    expect(playTurn(tester, HARNESS_SYSTEM_PROMPT).map(describeStep)).toEqual(['bash: git add', 'text']);
    // Each instruction counts on its own: pi's system prompt with the current user prompts.
    expect(playTurn(developer).map(describeStep)).toEqual(['ls', 'write', 'write', 'bash: node --test', 'text']);
  });

  it("the memory check's workload runs its tests in one process, in the harness and in the model's turns", () => {
    expect(LONG_RUN_WORKLOAD.testCommand).toBe(LONG_RUN_TEST_COMMAND);
    expect(LONG_RUN_TEST_COMMAND).toContain('--test-isolation=none');
    const { developer } = currentPrompts();
    const commands = playBenchTurn(LONG_RUN_WORKLOAD.plans, developer, HARNESS_SYSTEM_PROMPT).flatMap((step) =>
      step.kind === 'tool_calls' ? step.calls.map((call) => (call.arguments as { command?: string }).command) : [],
    );
    expect(commands.filter(Boolean)).toEqual([LONG_RUN_TEST_COMMAND]);
    // The same steps otherwise: only the command differs.
    expect(playBenchTurn(LONG_RUN_WORKLOAD.plans, developer, HARNESS_SYSTEM_PROMPT).map(describeStep)).toEqual(
      playTurn(developer, HARNESS_SYSTEM_PROMPT).map(describeStep),
    );
  });
});

describe('bench --compare and --memory-check', () => {
  it('interleaves the two builds, each going first in turn', () => {
    expect(interleaving(3)).toEqual(['base', 'head', 'head', 'base', 'base', 'head']);
  });

  it('reads memory per window of iterations and measures its change from the first window', () => {
    const at = (ms: number) => new Date(ms).toISOString();
    const events = [1, 2, 3, 4].map(
      (iteration) =>
        ({
          type: 'iteration_start',
          iteration,
          at: at(iteration * 1000),
          v: 1,
          runId: 'r',
          seq: iteration,
        }) as ReadEvent,
    );
    const sample = (ms: number, pss: number): MemorySample => ({
      at: ms,
      pssKiB: { harness: pss * 1024, pi: 0, guardian: 0 },
      rssKiB: { harness: 0, pi: 0, guardian: 0 },
      count: { harness: 1, pi: 0, guardian: 0 },
    });
    const samples = [sample(500, 999), sample(1500, 100), sample(2500, 100), sample(3500, 110), sample(4500, 120)];
    const windows = memoryWindows(samples, events, { from: 1, to: 4, size: 2 });
    expect(windows.map((w) => [w.from, w.to, w.meanPssMiB])).toEqual([
      [1, 2, 100],
      [3, 4, 115],
    ]);
    expect(windows[1]!.change).toBeCloseTo(0.15);
  });
});
