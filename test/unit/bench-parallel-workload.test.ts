/**
 * The bench's parallel workload and `--parallel`: six independent tasks in one phase, each played
 * by the scripted model on files of its own (with the current prompts and with an older harness's),
 * the options that select it, the interleaving of worker counts and the wall-time ratios.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunFigures } from '../../src/bench/measure.js';
import { PARALLEL_PLANS, PARALLEL_TASKS, parallelTaskFile } from '../../src/bench/parallel-workload.js';
import { parallelCounts, parallelOrder, wallRatios, type ParallelSide } from '../../src/bench/parallel-compare.js';
import { cliArgs } from '../../src/bench/run-once.js';
import { workloadChoice } from '../../src/bench/workload-choice.js';
import { WORKLOADS } from '../../src/bench/workloads.js';
import {
  buildDeveloperPrompt,
  buildTesterPrompt,
  bundledTemplatePath,
  DEFAULT_PROMPT_CAPS,
} from '../../src/prompts/index.js';
import { HARNESS_SYSTEM_PROMPT } from '../../src/prompts/system.js';
import type { ScriptStep } from '../../src/scripted-model/index.js';
import { oldPrompt as oldTemplate, PI_SYSTEM_PROMPT, playTurn as playBenchTurn } from '../helpers/scripted-turn.js';
import { parseTasks, type Task } from '../../src/tasks/index.js';

/** One whole turn against the parallel workload's script. */
const playTurn = (prompt: string, system = HARNESS_SYSTEM_PROMPT) => playBenchTurn(PARALLEL_PLANS, prompt, system);

const callsOf = (steps: ScriptStep[]) =>
  steps.flatMap((step) => (step.kind === 'tool_calls' ? step.calls : [])) as {
    name: string;
    arguments: Record<string, unknown>;
  }[];
const shape = (steps: ScriptStep[]) =>
  steps.map((step) =>
    step.kind === 'tool_calls'
      ? step.calls
          .map((c) =>
            c.name === 'bash'
              ? `bash: ${String((c.arguments as { command?: unknown }).command).split(' ')[0]}`
              : c.name,
          )
          .join(' + ')
      : step.kind,
  );

const TASKS: Task[] = parseTasks(parallelTaskFile()).tasks;
const base = (task: Task) => ({
  task,
  taskFileRelative: 'TODOS.md',
  testCommand: 'node --test',
  commitMode: 'agent' as const,
  caps: DEFAULT_PROMPT_CAPS,
  changedFiles: [],
});
const template = (role: 'developer' | 'tester') => readFileSync(bundledTemplatePath(role), 'utf8');
const developerPrompt = (task: Task) => buildDeveloperPrompt({ ...base(task), instructions: template('developer') });
const testerPrompt = (task: Task) =>
  buildTesterPrompt({
    ...base(task),
    instructions: template('tester'),
    startCommit: '0123456789abcdef',
    verificationPassed: true,
    changeDiff: 'diff --git a/x b/x\n',
  });
/** An older harness's prompt (52492ab's) with this workload's task in place of the fixture's. */
const oldPrompt = (role: 'developer' | 'tester', task: Task) =>
  oldTemplate(role).replace(/^- Task: .*$/m, `- Task: ${task.text}`);

describe('bench parallel workload', () => {
  it('is six tasks in one phase, each adding a function in a file of its own with a test file of its own', () => {
    expect(TASKS).toHaveLength(6);
    expect(new Set(TASKS.map((task) => task.phase)).size).toBe(1);
    expect(TASKS.map((task) => task.text)).toEqual(
      PARALLEL_TASKS.map((t) => `Add ${t.name}(${t.params}) to lib/${t.name}.mjs, with a test`),
    );
    for (const task of TASKS) expect(WORKLOADS.parallel.expectedPathOf(task.text)).toBe('pass');
    // The two workloads do not recognise each other's tasks.
    expect(WORKLOADS.phases.expectedPathOf(TASKS[0]!.text)).toBeUndefined();
    expect(WORKLOADS.parallel.expectedPathOf('Add add(a, b) to lib/math.mjs, with a test')).toBeUndefined();
    expect(() => parallelTaskFile(2)).toThrow(/one round/);
  });

  it('with the current prompts each task writes, tests and commits only its own two files', () => {
    const written = new Set<string>();
    for (const task of TASKS) {
      const name = PARALLEL_TASKS.find((t) => task.text.includes(`lib/${t.name}.mjs`))!.name;
      const developer = playTurn(developerPrompt(task));
      expect(shape(developer)).toEqual(['ls', 'write + write', 'bash: node', 'text']);
      const writes = callsOf(developer).filter((call) => call.name === 'write');
      expect(writes.map((call) => call.arguments.path)).toEqual([`lib/${name}.mjs`, `test/${name}.test.mjs`]);
      expect(String(writes[1]!.arguments.content)).toContain(`import { ${name} } from '../lib/${name}.mjs';`);
      for (const call of writes) written.add(String(call.arguments.path));
      const tester = playTurn(testerPrompt(task));
      expect(shape(tester)).toEqual(['bash: git', 'text']);
      expect(callsOf(tester)[0]!.arguments.command).toBe(
        `git add -- lib/${name}.mjs test/${name}.test.mjs TODOS.md && git commit -qm "Add ${name}"`,
      );
      const verdict = tester.at(-1)!;
      expect(verdict.kind === 'text' && verdict.text).toMatch(/VERDICT: PASS$/);
    }
    // No two tasks share a file: their merges cannot conflict.
    expect(written.size).toBe(12);
  });

  it("with an older harness's prompts each task also ticks, re-runs the tests and looks at the diff", () => {
    for (const task of TASKS) {
      const developer = playTurn(oldPrompt('developer', task), PI_SYSTEM_PROMPT);
      expect(shape(developer)).toEqual(['ls', 'write', 'write', 'bash: node', 'edit', 'text']);
      const edit = callsOf(developer).find((call) => call.name === 'edit')!;
      expect(edit.arguments.edits).toEqual([{ oldText: `- [ ] ${task.text}`, newText: `- [x] ${task.text}` }]);
      const tester = playTurn(oldPrompt('tester', task), PI_SYSTEM_PROMPT);
      expect(shape(tester)).toEqual(['bash: git', 'bash: node', 'bash: git', 'text']);
    }
  });

  it('answers a prompt that names no task of the workload with an error, not a guess', () => {
    const other = parseTasks('# Tasks\n\n- [ ] Add add(a, b) to lib/math.mjs, with a test\n').tasks[0]!;
    expect(() => playTurn(developerPrompt(other))).toThrow(/names no known task/);
  });
});

describe('bench --workload and --parallel', () => {
  it('selects the workload and the worker counts, and names what is wrong', () => {
    expect(workloadChoice({})).toEqual({ workload: WORKLOADS.phases, counts: [] });
    expect(workloadChoice({ workload: 'parallel' })).toEqual({ workload: WORKLOADS.parallel, counts: [] });
    expect(workloadChoice({ parallel: '3' })).toEqual({ workload: WORKLOADS.parallel, counts: [3] });
    expect(workloadChoice({ parallel: '2,3', workload: 'parallel' })).toEqual({
      workload: WORKLOADS.parallel,
      counts: [2, 3],
    });
    expect(workloadChoice({ workload: 'nope' })).toMatch(/unknown workload "nope"/);
    expect(workloadChoice({ parallel: '0' })).toMatch(/from 1 to 16/);
    expect(workloadChoice({ parallel: '17' })).toMatch(/from 1 to 16/);
    expect(workloadChoice({ parallel: '3,x' })).toMatch(/from 1 to 16/);
    expect(workloadChoice({ parallel: '3', workload: 'phases' })).toMatch(/plays the parallel workload/);
    expect(workloadChoice({ parallel: '3', compare: 'main' })).toMatch(/not with --compare/);
    expect(workloadChoice({ workload: 'parallel', 'memory-check': '500' })).toMatch(/--memory-check/);
  });

  it('passes --parallel to the CLI only for more than one worker', () => {
    expect(cliArgs()).toEqual(['run']);
    expect(cliArgs(1)).toEqual(['run']);
    expect(cliArgs(3)).toEqual(['run', '--parallel', '3']);
  });

  it('runs one worker beside every count, each round in turn rising and falling', () => {
    expect(parallelCounts([3])).toEqual([1, 3]);
    expect(parallelCounts([3, 1, 2, 3])).toEqual([1, 2, 3]);
    expect(parallelOrder([3], 3)).toEqual([1, 3, 3, 1, 1, 3]);
    expect(parallelOrder([2, 3], 2)).toEqual([1, 2, 3, 3, 2, 1]);
    expect(parallelOrder([1], 2)).toEqual([1, 1]);
  });

  it("divides each count's wall time by one worker's, round by round and of the medians", () => {
    const run = (wallMs: number) => ({ wallMs }) as RunFigures;
    const side = (parallel: number, walls: number[], median: number): ParallelSide => ({
      parallel,
      runs: walls.map(run),
      median: run(median),
    });
    const ratios = wallRatios([side(1, [10_000, 12_000], 11_000), side(3, [4_000, 6_000], 5_500)]);
    expect(ratios).toEqual([{ parallel: 3, rounds: [0.4, 0.5], median: 0.5 }]);
    expect(wallRatios([side(1, [10_000], 10_000)])).toEqual([]);
  });
});
