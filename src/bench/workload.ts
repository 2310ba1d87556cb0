/**
 * The benchmark's fixed workload: six small tasks in two phases over a tiny ESM library, with
 * `node --test` as the real test command, and a deterministic scripted model playing every role.
 *
 * The model behaves like a tidy local coding model would: look first, write the code and its test,
 * run the tests, tick, summarise. Four tasks pass first time; `sub` goes through a verification
 * failure and developerFix; `slug` through a tester FAIL, developerFix and a recheck PASS. Plans
 * pick their task from the prompt's "- Task:" line (not from turn counts), so a change in the
 * harness's turn order shows up as a wrong path in the report instead of a silently shifted script.
 */
import { stepsFor, type PlannedStep, type RolePlans, type ScriptStep, type TurnView } from '../scripted-model/index.js';
import { ASKS, bash, calls, say, startCommitOf, taskLineOf, tool } from './scripted-steps.js';

export { ASKS } from './scripted-steps.js';

export const TEST_COMMAND = 'node --test';

/**
 * The memory check's test command: every round adds two test files, and `node --test` starts a
 * process per file, so 500 iterations' tests would take minutes per run and the work would grow
 * with every round. In one process (`--test-isolation=none`) the same tests take a fraction of a
 * second even after 80 rounds, so each iteration does nearly the same work as the first.
 */
export const LONG_RUN_TEST_COMMAND = 'node --test --test-isolation=none';

/** The repo before the run (TODOS.md and pi.config.json are added by the runner). */
export const INITIAL_FILES: Record<string, string> = {
  'README.md': '# tiny-lib\n\nSmall helpers, grown one task at a time by pi-harness.\n',
  'package.json': '{\n  "name": "tiny-lib",\n  "private": true,\n  "type": "module"\n}\n',
  'test/smoke.test.mjs': "import test from 'node:test';\n\ntest('the test runner works', () => {});\n",
};

/** What the bench expects each task to go through; checked against the journal after the run. */
export type ExpectedPath = 'pass' | 'verification-fix' | 'tester-fail-fix';

interface TaskSpec {
  /** The function the task adds; also how a prompt is matched to its task. */
  name: string;
  /** 1 for the six tasks of the workload; later rounds repeat them on files of their own. */
  round: number;
  file: 'math' | 'text';
  expected: ExpectedPath;
  /** The implementation line(s) the developer writes first. */
  code: string;
  /** What developerFix writes instead (tasks that need a fix). */
  fixedCode?: string;
  test: string;
  /** The extra test developerFix adds for the tester's finding. */
  fixTest?: string;
}

const BASE_TASKS: readonly Omit<TaskSpec, 'round'>[] = [
  {
    name: 'add',
    file: 'math',
    expected: 'pass',
    code: 'export const add = (a, b) => a + b;',
    test: "test('add', () => assert.equal(add(2, 3), 5));",
  },
  {
    name: 'sub',
    file: 'math',
    expected: 'verification-fix',
    // The developer's slip: verification catches it, developerFix repairs it.
    code: 'export const sub = (a, b) => a + b;',
    fixedCode: 'export const sub = (a, b) => a - b;',
    test: "test('sub', () => assert.equal(sub(5, 3), 2));",
  },
  {
    name: 'mul',
    file: 'math',
    expected: 'pass',
    code: 'export const mul = (a, b) => a * b;',
    test: "test('mul', () => assert.equal(mul(4, 3), 12));",
  },
  {
    name: 'slug',
    file: 'text',
    expected: 'tester-fail-fix',
    // Passes its own test but ignores the task's detail line: the tester catches it.
    code: "export const slug = (text) => text.trim().toLowerCase().replace(/\\s+/g, '-');",
    fixedCode:
      "export const slug = (text) => text.toLowerCase().replace(/[^a-z0-9\\s-]/g, '').trim().replace(/\\s+/g, '-');",
    test: "test('slug', () => assert.equal(slug('Hello World'), 'hello-world'));",
    fixTest: "test('slug drops punctuation', () => assert.equal(slug('Hello, World!'), 'hello-world'));",
  },
  {
    name: 'capitalize',
    file: 'text',
    expected: 'pass',
    code: 'export const capitalize = (text) => text.charAt(0).toUpperCase() + text.slice(1);',
    test: "test('capitalize', () => assert.equal(capitalize('pi'), 'Pi'));",
  },
  {
    name: 'words',
    file: 'text',
    expected: 'pass',
    code: 'export const words = (text) => text.split(/\\s+/).filter(Boolean);',
    test: "test('words', () => assert.deepEqual(words(' a  b '), ['a', 'b']));",
  },
];

/** The six tasks of round 1 (the workload), as TaskSpecs. */
export const TASKS: readonly TaskSpec[] = BASE_TASKS.map((spec) => ({ ...spec, round: 1 }));

const fileBase = (spec: TaskSpec): string => `${spec.file}${spec.round === 1 ? '' : spec.round}`;
const taskLine = (spec: TaskSpec): string =>
  `Add ${spec.name}(${spec.file === 'math' ? 'a, b' : 'text'}) to lib/${fileBase(spec)}.mjs, with a test`;
const TASK_LINE = /^Add (\w+)\((?:a, b|text)\) to lib\/(math|text)(\d*)\.mjs, with a test$/;

/** The task a line of the task file (or a prompt's "- Task:" line) names, in any round. */
function specOfLine(text: string): TaskSpec | undefined {
  const match = TASK_LINE.exec(text.trim());
  if (!match) return undefined;
  const round = match[3] === '' ? 1 : Number(match[3]);
  const base = BASE_TASKS.find((spec) => spec.name === match[1] && spec.file === match[2]);
  if (!base) return undefined;
  const spec = { ...base, round };
  return taskLine(spec) === text.trim() ? spec : undefined;
}

export const expectedPathOf = (taskText: string): ExpectedPath | undefined => specOfLine(taskText)?.expected;

/**
 * The task file: the six tasks in two phases, and for `rounds` > 1 the same six again per round
 * on files of their own (lib/math2.mjs...), so that every round costs what the first did — the
 * memory check runs hundreds of iterations of the same work.
 */
export function taskFile(rounds = 1): string {
  const lines = ['# Tasks', ''];
  for (let round = 1; round <= rounds; round++) {
    const of = (file: TaskSpec['file']) => BASE_TASKS.filter((spec) => spec.file === file);
    const label = round === 1 ? '' : `Round ${round}, `;
    for (const [phase, file, title] of [
      [1, 'math', 'math helpers'],
      [2, 'text', 'string helpers'],
    ] as const) {
      lines.push(`## ${label}${round === 1 ? 'Phase' : 'phase'} ${phase}: ${title}`, '');
      for (const base of of(file)) {
        lines.push(`- [ ] ${taskLine({ ...base, round })}`);
        if (base.name === 'slug')
          lines.push("  - slug('Hello, World!') must be 'hello-world': punctuation is dropped, words joined by '-'");
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

export const TASK_FILE = taskFile(1);

function specFor(prompt: string): TaskSpec {
  const line = taskLineOf(prompt);
  const spec = line === undefined ? undefined : specOfLine(line);
  if (!spec) throw new Error('bench workload: the prompt names no known task');
  return spec;
}

/** The library and test files as they stand once `upTo` (and every earlier task of its file) is in. */
function sources(
  upTo: TaskSpec,
  stage: 'draft' | 'fixed',
): { lib: string; test: string; libPath: string; testPath: string } {
  const upToIndex = BASE_TASKS.findIndex((spec) => spec.name === upTo.name);
  const same = BASE_TASKS.slice(0, upToIndex + 1).filter((spec) => spec.file === upTo.file);
  const isDraft = (spec: Omit<TaskSpec, 'round'>) => spec.name === upTo.name && stage === 'draft';
  const codeOf = (spec: Omit<TaskSpec, 'round'>) => (isDraft(spec) ? spec.code : (spec.fixedCode ?? spec.code));
  const testsOf = (spec: Omit<TaskSpec, 'round'>) => [
    spec.test,
    ...(isDraft(spec) ? [] : spec.fixTest ? [spec.fixTest] : []),
  ];
  const names = same.map((spec) => spec.name).join(', ');
  return {
    libPath: `lib/${fileBase(upTo)}.mjs`,
    testPath: `test/${fileBase(upTo)}.test.mjs`,
    lib: `${same.map(codeOf).join('\n')}\n`,
    test: [
      "import assert from 'node:assert/strict';",
      "import test from 'node:test';",
      `import { ${names} } from '../lib/${fileBase(upTo)}.mjs';`,
      '',
      ...same.flatMap(testsOf),
      '',
    ].join('\n'),
  };
}

const isFirstOfFile = (spec: TaskSpec) =>
  BASE_TASKS.find((candidate) => candidate.file === spec.file)?.name === spec.name;

/** Answers the successive requests of one turn; `view.step` counts the model's replies so far. */
function turn(steps: (spec: TaskSpec, view: TurnView) => PlannedStep[]): (view: TurnView) => ScriptStep {
  return (view) => {
    const planned = stepsFor(steps(specFor(view.prompt), view), view.prompt);
    return planned[view.step] ?? say('Done.');
  };
}

/** The scripted model's plans, running `testCommand` wherever a tidy model runs the tests. */
export function plansFor(testCommand: string): RolePlans {
  return {
    developer: [developerPlan(testCommand)],
    developerFix: [developerFixPlan(testCommand)],
    tester: [tester(testCommand, false)],
    testerRecheck: [tester(testCommand, true)],
  };
}

const developerPlan = (command: string) =>
  turn((spec, view) => {
    const files = sources(spec, 'draft');
    const tick = taskLine(spec);
    const ticks = ASKS.toTick(view.prompt);
    return [
      isFirstOfFile(spec) ? tool('ls', { path: '.' }) : tool('read', { path: files.libPath }),
      ...calls(view, [
        tool('write', { path: files.libPath, content: files.lib }),
        tool('write', { path: files.testPath, content: files.test }),
      ]),
      bash(command),
      {
        onlyIf: ASKS.toTick,
        step: tool('edit', { path: 'TODOS.md', edits: [{ oldText: `- [ ] ${tick}`, newText: `- [x] ${tick}` }] }),
      },
      say(
        `Added ${spec.name} to ${files.libPath} with a test in ${files.testPath}; \`${command}\` passes.` +
          (ticks ? ' Ticked the task.' : ''),
      ),
    ];
  });

const developerFixPlan = (command: string) =>
  turn((spec, view) => {
    const files = sources(spec, 'fixed');
    return [
      tool('read', { path: files.libPath }),
      ...calls(view, [
        tool('write', { path: files.libPath, content: files.lib }),
        ...(spec.fixTest ? [tool('write', { path: files.testPath, content: files.test })] : []),
      ]),
      bash(command),
      say(`Fixed ${spec.name} in ${files.libPath}; \`${command}\` passes.`),
    ];
  });

function tester(command: string, recheck: boolean) {
  return turn((spec, view) => {
    const files = sources(spec, 'fixed');
    const rejects = spec.expected === 'tester-fail-fix' && !recheck;
    const review: PlannedStep[] = [
      { onlyIf: ASKS.toLookUpTheChange, step: bash(`git status --short && git diff ${startCommitOf(view.prompt)}`) },
      { onlyIf: ASKS.toRerunTests, step: bash(command) },
    ];
    if (rejects) {
      return [
        ...review,
        bash(`node -e "import('./${files.libPath}').then((m) => console.log(m.slug('Hello, World!')))"`),
        say(
          `${files.libPath}: slug('Hello, World!') returns 'hello,-world!'; the task requires 'hello-world'. Drop punctuation before joining words, and add a test for it.\n\nVERDICT: FAIL`,
        ),
      ];
    }
    return [
      ...review,
      bash(`git add -- ${files.libPath} ${files.testPath} TODOS.md && git commit -qm "Add ${spec.name}"`),
      say(`The change adds ${spec.name} as the task asks, with a test; \`${command}\` passes.\n\nVERDICT: PASS`),
    ];
  });
}

export const PLANS: RolePlans = plansFor(TEST_COMMAND);
