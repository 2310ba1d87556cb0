/**
 * The bench's parallel workload: six independent tasks in one phase, each adding one function in a
 * file of its own with a test file of its own (lib/<name>.mjs, test/<name>.test.mjs), so that no two
 * tasks touch the same file and a parallel run's merges never conflict. Every task passes first
 * time: developer › verify › tester PASS › commit. The scripted model is the same tidy model as the
 * two-phase workload's (workload.ts): it takes the steps a prompt asks for, and its plans pick their
 * task from the prompt's "- Task:" line, so turns of several tasks can run at once against one
 * model server and each still gets its own task's script.
 */
import { stepsFor, type PlannedStep, type RolePlans, type ScriptStep, type TurnView } from '../scripted-model/index.js';
import { ASKS, bash, calls, say, startCommitOf, taskLineOf, tool } from './scripted-steps.js';
import { TEST_COMMAND, type ExpectedPath } from './workload.js';

interface IndependentTask {
  /** The function the task adds; its file is lib/<name>.mjs and its test test/<name>.test.mjs. */
  name: string;
  params: string;
  code: string;
  test: string;
}

export const PARALLEL_TASKS: readonly IndependentTask[] = [
  {
    name: 'clamp',
    params: 'value, low, high',
    code: 'export const clamp = (value, low, high) => Math.min(high, Math.max(low, value));',
    test: "test('clamp', () => assert.equal(clamp(5, 0, 3), 3));",
  },
  {
    name: 'sum',
    params: 'values',
    code: 'export const sum = (values) => values.reduce((total, value) => total + value, 0);',
    test: "test('sum', () => assert.equal(sum([1, 2, 3]), 6));",
  },
  {
    name: 'mean',
    params: 'values',
    code: 'export const mean = (values) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);',
    test: "test('mean', () => assert.equal(mean([2, 4]), 3));",
  },
  {
    name: 'reverse',
    params: 'text',
    code: "export const reverse = (text) => [...text].reverse().join('');",
    test: "test('reverse', () => assert.equal(reverse('abc'), 'cba'));",
  },
  {
    name: 'isBlank',
    params: 'text',
    code: "export const isBlank = (text) => text.trim() === '';",
    test: "test('isBlank', () => assert.equal(isBlank(' \\t'), true));",
  },
  {
    name: 'initials',
    params: 'text',
    code: "export const initials = (text) => text.split(/\\s+/).filter(Boolean).map((word) => word[0].toUpperCase()).join('');",
    test: "test('initials', () => assert.equal(initials('ada lovelace'), 'AL'));",
  },
];

const libPath = (task: IndependentTask) => `lib/${task.name}.mjs`;
const testPath = (task: IndependentTask) => `test/${task.name}.test.mjs`;
const taskLine = (task: IndependentTask) => `Add ${task.name}(${task.params}) to ${libPath(task)}, with a test`;
const taskOfLine = (text: string): IndependentTask | undefined =>
  PARALLEL_TASKS.find((task) => taskLine(task) === text.trim());

/** Every task of this workload passes first time. */
export const parallelExpectedPathOf = (taskText: string): ExpectedPath | undefined =>
  taskOfLine(taskText) ? 'pass' : undefined;

/** The task file: the six tasks in one phase (one round only: the memory check uses the two-phase workload). */
export function parallelTaskFile(rounds = 1): string {
  if (rounds !== 1) throw new Error(`bench: the parallel workload has one round of six tasks (asked for ${rounds})`);
  return [
    '# Tasks',
    '',
    '## Phase 1: independent helpers',
    '',
    ...PARALLEL_TASKS.map((t) => `- [ ] ${taskLine(t)}`),
    '',
  ].join('\n');
}

function taskOf(prompt: string): IndependentTask {
  const line = taskLineOf(prompt);
  const task = line === undefined ? undefined : taskOfLine(line);
  if (!task) throw new Error('bench parallel workload: the prompt names no known task');
  return task;
}

function testFile(task: IndependentTask): string {
  return [
    "import assert from 'node:assert/strict';",
    "import test from 'node:test';",
    `import { ${task.name} } from '../${libPath(task)}';`,
    '',
    task.test,
    '',
  ].join('\n');
}

/** Answers the successive requests of one turn; `view.step` counts the model's replies so far. */
function turn(steps: (task: IndependentTask, view: TurnView) => PlannedStep[]): (view: TurnView) => ScriptStep {
  return (view) => stepsFor(steps(taskOf(view.prompt), view), view.prompt)[view.step] ?? say('Done.');
}

const developer = turn((task, view) => {
  const line = taskLine(task);
  return [
    tool('ls', { path: '.' }),
    ...calls(view, [
      tool('write', { path: libPath(task), content: `${task.code}\n` }),
      tool('write', { path: testPath(task), content: testFile(task) }),
    ]),
    bash(TEST_COMMAND),
    {
      onlyIf: ASKS.toTick,
      step: tool('edit', { path: 'TODOS.md', edits: [{ oldText: `- [ ] ${line}`, newText: `- [x] ${line}` }] }),
    },
    say(
      `Added ${task.name} to ${libPath(task)} with a test in ${testPath(task)}; \`${TEST_COMMAND}\` passes.` +
        (ASKS.toTick(view.prompt) ? ' Ticked the task.' : ''),
    ),
  ];
});

const tester = turn((task, view) => [
  { onlyIf: ASKS.toLookUpTheChange, step: bash(`git status --short && git diff ${startCommitOf(view.prompt)}`) },
  { onlyIf: ASKS.toRerunTests, step: bash(TEST_COMMAND) },
  bash(`git add -- ${libPath(task)} ${testPath(task)} TODOS.md && git commit -qm "Add ${task.name}"`),
  say(`The change adds ${task.name} as the task asks, with a test; \`${TEST_COMMAND}\` passes.\n\nVERDICT: PASS`),
]);

/** Only the roles of a first-time pass: a fix or a recheck would be off the script (and shows as such). */
export const PARALLEL_PLANS: RolePlans = { developer: [developer], tester: [tester] };
