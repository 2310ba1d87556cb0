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
import type { RolePlans, ScriptStep, TurnView } from '../scripted-model/index.js';

export const TASK_FILE = `# Tasks

## Phase 1: math helpers

- [ ] Add add(a, b) to lib/math.mjs, with a test
- [ ] Add sub(a, b) to lib/math.mjs, with a test
- [ ] Add mul(a, b) to lib/math.mjs, with a test

## Phase 2: string helpers

- [ ] Add slug(text) to lib/text.mjs, with a test
  - slug('Hello, World!') must be 'hello-world': punctuation is dropped, words joined by '-'
- [ ] Add capitalize(text) to lib/text.mjs, with a test
- [ ] Add words(text) to lib/text.mjs, with a test
`;

export const TEST_COMMAND = 'node --test';

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

export const TASKS: readonly TaskSpec[] = [
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

const taskLine = (spec: TaskSpec): string =>
  `Add ${spec.name}(${spec.file === 'math' ? 'a, b' : 'text'}) to lib/${spec.file}.mjs, with a test`;
export const expectedPathOf = (taskText: string): ExpectedPath | undefined =>
  TASKS.find((spec) => taskLine(spec) === taskText)?.expected;

function specFor(prompt: string): TaskSpec {
  const spec = TASKS.find((candidate) => prompt.includes(`- Task: ${taskLine(candidate)}`));
  if (!spec) throw new Error('bench workload: the prompt names no known task');
  return spec;
}

/** The library and test files as they stand once `upTo` (and every earlier task of its file) is in. */
function sources(
  upTo: TaskSpec,
  stage: 'draft' | 'fixed',
): { lib: string; test: string; libPath: string; testPath: string } {
  const same = TASKS.slice(0, TASKS.indexOf(upTo) + 1).filter((spec) => spec.file === upTo.file);
  const codeOf = (spec: TaskSpec) => (spec === upTo && stage === 'draft' ? spec.code : (spec.fixedCode ?? spec.code));
  const testsOf = (spec: TaskSpec) => [
    spec.test,
    ...(spec === upTo && stage === 'draft' ? [] : spec.fixTest ? [spec.fixTest] : []),
  ];
  const names = same.map((spec) => spec.name).join(', ');
  return {
    libPath: `lib/${upTo.file}.mjs`,
    testPath: `test/${upTo.file}.test.mjs`,
    lib: `${same.map(codeOf).join('\n')}\n`,
    test: [
      "import assert from 'node:assert/strict';",
      "import test from 'node:test';",
      `import { ${names} } from '../lib/${upTo.file}.mjs';`,
      '',
      ...same.flatMap(testsOf),
      '',
    ].join('\n'),
  };
}

const tool = (name: string, args: Record<string, unknown>): ScriptStep => ({
  kind: 'tool_calls',
  calls: [{ name, arguments: args }],
});
const bash = (command: string) => tool('bash', { command });
const say = (text: string): ScriptStep => ({ kind: 'text', text });
const isFirstOfFile = (spec: TaskSpec) => TASKS.find((candidate) => candidate.file === spec.file) === spec;

/** Answers the successive requests of one turn; `view.step` counts the model's replies so far. */
function turn(steps: (spec: TaskSpec, view: TurnView) => ScriptStep[]): (view: TurnView) => ScriptStep {
  return (view) => {
    const planned = steps(specFor(view.prompt), view);
    return planned[view.step] ?? say('Done.');
  };
}

const developer = turn((spec) => {
  const files = sources(spec, 'draft');
  const tick = taskLine(spec);
  return [
    isFirstOfFile(spec) ? tool('ls', { path: '.' }) : tool('read', { path: files.libPath }),
    tool('write', { path: files.libPath, content: files.lib }),
    tool('write', { path: files.testPath, content: files.test }),
    bash(TEST_COMMAND),
    tool('edit', { path: 'TODOS.md', edits: [{ oldText: `- [ ] ${tick}`, newText: `- [x] ${tick}` }] }),
    say(
      `Added ${spec.name} to ${files.libPath} with a test in ${files.testPath}; \`${TEST_COMMAND}\` passes. Ticked the task.`,
    ),
  ];
});

const developerFix = turn((spec) => {
  const files = sources(spec, 'fixed');
  return [
    tool('read', { path: files.libPath }),
    tool('write', { path: files.libPath, content: files.lib }),
    ...(spec.fixTest ? [tool('write', { path: files.testPath, content: files.test })] : []),
    bash(TEST_COMMAND),
    say(`Fixed ${spec.name} in ${files.libPath}; \`${TEST_COMMAND}\` passes.`),
  ];
});

/** The tester's start commit, from the "Change under review" section. */
const startCommitOf = (prompt: string): string => /started at commit `([0-9a-f]+)`/.exec(prompt)?.[1] ?? 'HEAD';

function tester(recheck: boolean) {
  return turn((spec, view) => {
    const files = sources(spec, 'fixed');
    const rejects = spec.expected === 'tester-fail-fix' && !recheck;
    const review = [bash(`git status --short && git diff ${startCommitOf(view.prompt)}`), bash(TEST_COMMAND)];
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
      say(`The change adds ${spec.name} as the task asks, with a test; \`${TEST_COMMAND}\` passes.\n\nVERDICT: PASS`),
    ];
  });
}

export const PLANS: RolePlans = {
  developer: [developer],
  developerFix: [developerFix],
  tester: [tester(false)],
  testerRecheck: [tester(true)],
};
