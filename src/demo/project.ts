/**
 * The demo's project, as data: "textkit", a tiny Node string toolkit with no dependencies (its
 * tests run on `node --test`), its four tasks, and what the scripted agent writes for each.
 *
 * Two first drafts carry a real bug, so the demo shows the machinery and not only the happy path:
 * `truncate` overshoots its limit (the tests catch it: verification fails → developerFix), and
 * `wordCount` miscounts empty text in a way its own tests miss (the tester's probe catches it:
 * FAIL → developerFix → recheck PASS). Every file text here is real code that must really pass.
 */

export const DEMO_MODEL = 'demo/scripted-coder';
export const TEST_COMMAND = 'node --test';
export const TASK_FILE = 'TODOS.md';

export interface FileEdit {
  path: string;
  oldText: string;
  newText: string;
}

/** A command the tester runs beyond the test suite, and what a correct change prints. */
export interface Probe {
  command: string;
  expect: string;
  /** The finding, when the output differs: what is wrong and what to change. */
  finding: string;
}

export interface DemoTask {
  /** The task's text in TODOS.md, after `- [ ] `. */
  text: string;
  phase: string;
  /** What the developer writes on its first attempt (path → content). */
  files: Record<string, string>;
  /** Files the developer reads first, to follow the code's conventions. */
  reads?: string[];
  /** The overconfident developer skips running the tests and ticks anyway. */
  developerRunsTests: boolean;
  developerSummary: string;
  /** The repair of a buggy first draft, made by developerFix once verification or review objects. */
  fix?: { edits: FileEdit[]; summary: string };
  probes?: Probe[];
  commitMessage: string;
}

const ASSERT_IMPORTS = "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\n";

const PHASE_BASICS = 'Phase 1 — Basics';
const PHASE_EXTRAS = 'Phase 2 — Extras';

export const DEMO_TASKS: readonly DemoTask[] = [
  {
    text: 'Add `slugify(text)` in `src/slugify.mjs`: lowercase words joined by `-`, accents folded, punctuation dropped',
    phase: PHASE_BASICS,
    files: {
      'src/slugify.mjs': `/** "Crème brûlée, please!" → "creme-brulee-please" */
export function slugify(text) {
  return text
    .normalize('NFKD')
    .replace(/[\\u0300-\\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
`,
      'test/slugify.test.mjs': `${ASSERT_IMPORTS}import { slugify } from '../src/slugify.mjs';

test('joins lowercase words with hyphens and drops punctuation', () => {
  assert.equal(slugify('Hello, World!'), 'hello-world');
  assert.equal(slugify('  pi -- harness  demo  '), 'pi-harness-demo');
});

test('folds accents to plain letters', () => {
  assert.equal(slugify('Crème brûlée'), 'creme-brulee');
});
`,
    },
    developerRunsTests: true,
    developerSummary:
      'Added `slugify` in src/slugify.mjs with tests for punctuation, spacing and accents; `node --test` passes. Ticked the task.',
    commitMessage: 'Add slugify',
  },
  {
    text: 'Add `titleCase(text)` in `src/title-case.mjs`: every word capitalised, the rest lowercase, spacing kept',
    phase: PHASE_BASICS,
    reads: ['src/capitalize.mjs'],
    files: {
      'src/title-case.mjs': `import { capitalize } from './capitalize.mjs';

/** "the QUICK  brown fox" → "The Quick  Brown Fox" (spacing is kept as it is). */
export function titleCase(text) {
  return text
    .split(' ')
    .map((word) => capitalize(word.toLowerCase()))
    .join(' ');
}
`,
      'test/title-case.test.mjs': `${ASSERT_IMPORTS}import { titleCase } from '../src/title-case.mjs';

test('capitalises every word and lowercases the rest', () => {
  assert.equal(titleCase('the QUICK brown fox'), 'The Quick Brown Fox');
});

test('keeps the spacing as it is', () => {
  assert.equal(titleCase('a  b '), 'A  B ');
});
`,
    },
    developerRunsTests: true,
    developerSummary:
      'Added `titleCase` in src/title-case.mjs, reusing `capitalize`, with tests; `node --test` passes. Ticked the task.',
    commitMessage: 'Add titleCase on top of capitalize',
  },
  {
    text: 'Add `truncate(text, max)` in `src/truncate.mjs`: at most `max` characters, ending in `…` when cut',
    phase: PHASE_EXTRAS,
    files: {
      // The bug: the ellipsis is added after `max` characters, so a cut result is one too long.
      'src/truncate.mjs': `/** "hello world", 8 → "hello w…" (never longer than max). */
export function truncate(text, max) {
  if (text.length <= max) return text;
  return text.slice(0, max) + '…';
}
`,
      'test/truncate.test.mjs': `${ASSERT_IMPORTS}import { truncate } from '../src/truncate.mjs';

test('leaves short text alone', () => {
  assert.equal(truncate('short', 10), 'short');
});

test('cuts long text to max characters, the ellipsis included', () => {
  assert.equal(truncate('hello world', 8), 'hello w…');
});
`,
    },
    developerRunsTests: false,
    developerSummary: 'Added `truncate` in src/truncate.mjs with tests. Ticked the task.',
    fix: {
      edits: [{ path: 'src/truncate.mjs', oldText: 'text.slice(0, max) +', newText: 'text.slice(0, max - 1) +' }],
      summary:
        'The ellipsis counts toward `max`: `truncate` now keeps `max - 1` characters before it. `node --test` passes.',
    },
    commitMessage: 'Add truncate',
  },
  {
    text: 'Add `wordCount(text)` in `src/word-count.mjs`: the number of words; 0 for empty or whitespace-only text',
    phase: PHASE_EXTRAS,
    files: {
      // The bug: ''.split(/\s+/) is [''], so empty text counts one word; the tests below miss it.
      'src/word-count.mjs': `/** "  one two  three " → 3 */
export function wordCount(text) {
  return text.trim().split(/\\s+/).length;
}
`,
      'test/word-count.test.mjs': `${ASSERT_IMPORTS}import { wordCount } from '../src/word-count.mjs';

test('counts words separated by any amount of whitespace', () => {
  assert.equal(wordCount('hello world'), 2);
  assert.equal(wordCount('  one two   three '), 3);
});
`,
    },
    developerRunsTests: true,
    developerSummary: 'Added `wordCount` in src/word-count.mjs with tests; `node --test` passes. Ticked the task.',
    probes: [
      {
        command: `node --input-type=module -e "import { wordCount } from './src/word-count.mjs'; console.log(wordCount(''), wordCount('   '))"`,
        expect: '0 0',
        finding:
          "src/word-count.mjs: `wordCount('')` and `wordCount('   ')` must be 0 (the task says so) but are not. " +
          'Return 0 when the trimmed text is empty, and add a test for empty and whitespace-only text.',
      },
    ],
    fix: {
      edits: [
        {
          path: 'src/word-count.mjs',
          oldText: '  return text.trim().split(/\\s+/).length;',
          newText: "  const trimmed = text.trim();\n  return trimmed === '' ? 0 : trimmed.split(/\\s+/).length;",
        },
        {
          path: 'test/word-count.test.mjs',
          oldText: "  assert.equal(wordCount('  one two   three '), 3);\n});\n",
          newText:
            "  assert.equal(wordCount('  one two   three '), 3);\n});\n\n" +
            "test('empty or whitespace-only text has no words', () => {\n  assert.equal(wordCount(''), 0);\n  assert.equal(wordCount('   '), 0);\n});\n",
        },
      ],
      summary: 'Empty or whitespace-only text now counts 0 words, with a test for it. `node --test` passes.',
    },
    commitMessage: 'Add wordCount',
  },
];

/** The task file: the tasks under their phase headings, all open. */
export function todosMarkdown(tasks: readonly DemoTask[] = DEMO_TASKS): string {
  const lines = [
    '# textkit — tasks',
    '',
    'One task per iteration, top to bottom. Each function gets its own module in `src/` and tests in `test/`.',
  ];
  let phase: string | undefined;
  for (const task of tasks) {
    if (task.phase !== phase) {
      phase = task.phase;
      lines.push('', `## ${phase}`, '');
    }
    lines.push(`- [ ] ${task.text}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The project as committed before the first iteration (the config file is added by the caller). */
export const STARTING_FILES: Record<string, string> = {
  'README.md': `# textkit

A tiny string toolkit, built task by task by \`pi-harness demo\`. No dependencies: run the tests
with \`${TEST_COMMAND}\` (Node 22 or later).
`,
  'src/capitalize.mjs': `/** "hello" → "Hello" */
export function capitalize(word) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
`,
  'test/capitalize.test.mjs': `${ASSERT_IMPORTS}import { capitalize } from '../src/capitalize.mjs';

test('upper-cases the first letter only', () => {
  assert.equal(capitalize('hello'), 'Hello');
  assert.equal(capitalize('hELLO'), 'HELLO');
  assert.equal(capitalize(''), '');
});
`,
  [TASK_FILE]: todosMarkdown(),
};
