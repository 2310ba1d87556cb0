/**
 * Seeded generator of task files for property tests. It builds the Markdown together with the tasks
 * a correct parser must find, so parser output can be checked against an independent model.
 */

export interface ExpectedTask {
  line: number;
  text: string;
  done: boolean;
  phase: string | null;
  parentLine: number | undefined;
}

export interface GeneratedFile {
  seed: number;
  text: string;
  expected: ExpectedTask[];
}

/** mulberry32: tiny, fast, good enough to vary test inputs reproducibly. */
function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TASK_TEXTS = [
  'write the parser',
  'ship it 🚀 👩‍💻',
  '实现任务解析器',
  'café\u0301 résumé',
  'handle `- [x]` in inline code',
  'fix [ ] brackets [x] later',
  'a # hash and trailing #',
  'write the parser', // duplicate on purpose: exercises occurrence ids
  'tab\tinside',
];
const PHASES = ['Phase 1', 'Phase 2 — 核心', 'Setup 🛠', 'Done: C#'];
const PROSE = [
  'Some prose about the plan.',
  'Links: [x](http://example.com) and `- [ ] code`',
  '- a plain list item',
  '1. numbered plain',
];
const DETAILS = ['blocked: waiting on the API', '- a plain note', 'see `- [ ]` syntax', '> quoted [x] note'];
const FAKE_TASKS = ['- [ ] fake in code', '# fake heading', '* [x] fake done'];
const BULLETS = ['-', '*', '+', '1.', '2)'];
const MARKS = [' ', 'x', 'X'] as const;
const EOLS = ['\n', '\r\n', '\r'];
const TRAILING = ['', '', '  ', ' \t'];

export function generateTaskFile(seed: number): GeneratedFile {
  const random = makeRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;

  const lines: string[] = [];
  const expected: ExpectedTask[] = [];
  let phase: string | null = null;

  const addTask = (indent: string, parentLine: number | undefined, depth: number): void => {
    const text = pick(TASK_TEXTS);
    const mark = pick(MARKS);
    lines.push(`${indent}${pick(BULLETS)} [${mark}] ${text}${pick(TRAILING)}`);
    const line = lines.length;
    expected.push({ line, text: text.trim(), done: mark !== ' ', phase, parentLine });
    const childIndent = `${indent}${chance(0.3) ? '\t' : '    '}`;
    const children = depth < 2 ? Math.floor(random() * 3) : 0;
    for (let i = 0; i < children; i++) {
      if (chance(0.4)) lines.push(`${childIndent}${pick(DETAILS)}`);
      if (chance(0.2)) lines.push('');
      addTask(childIndent, line, depth + 1);
    }
    if (chance(0.3)) lines.push(`${childIndent}\`\`\`\n- [ ] fenced under a task\n${childIndent}\`\`\``);
  };

  // After a task, any deeper-indented line belongs to it, so an indented top-level task may only
  // follow something that is not a task block.
  let afterTaskBlock = false;
  const blocks = 3 + Math.floor(random() * 8);
  for (let b = 0; b < blocks; b++) {
    const kind = random();
    const wasAfterTaskBlock = afterTaskBlock;
    afterTaskBlock = kind >= 0.2 && kind < 0.65;
    if (kind < 0.2) {
      phase = pick(PHASES);
      lines.push(`${'#'.repeat(1 + Math.floor(random() * 6))} ${phase}`);
    } else if (kind < 0.65) {
      addTask(!wasAfterTaskBlock && chance(0.4) ? ' ' : '', undefined, 0);
    } else if (kind < 0.75) {
      lines.push(chance(0.5) ? '```md' : '~~~~', pick(FAKE_TASKS), pick(FAKE_TASKS));
      lines.push((lines.at(-3) ?? '').startsWith('`') ? '```' : '~~~~');
    } else if (kind < 0.85) {
      lines.push(`> ${pick(FAKE_TASKS)}`);
    } else if (kind < 0.95) {
      lines.push(pick(PROSE));
    } else {
      lines.push('- [ ]'); // empty checkbox: never a task
    }
    if (chance(0.5)) lines.push('');
  }

  // Fence lines under a task were pushed as one entry with embedded "\n"; flatten and renumber.
  const flat: string[] = [];
  const lineMap = new Map<number, number>();
  lines.forEach((entry, index) => {
    lineMap.set(index + 1, flat.length + 1);
    flat.push(...entry.split('\n'));
  });
  for (const task of expected) {
    task.line = lineMap.get(task.line) ?? -1;
    if (task.parentLine !== undefined) task.parentLine = lineMap.get(task.parentLine) ?? -1;
  }

  const mixedEols = chance(0.3);
  const fileEol = pick(EOLS);
  let text = chance(0.2) ? '\uFEFF' : '';
  flat.forEach((line, index) => {
    const last = index === flat.length - 1;
    let eol = last && chance(0.3) ? '' : mixedEols ? pick(EOLS) : fileEol;
    // A lone CR followed by an empty line's LF would read as one CRLF: one line, not two.
    if (eol === '\r' && flat[index + 1] === '' && mixedEols) eol = '\n';
    text += line + eol;
  });
  return { seed, text, expected };
}
