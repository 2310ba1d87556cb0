/** A task and prompt context shared by the prompt tests. */
import { DEFAULT_PROMPT_CAPS, type PromptContext } from '../../../src/prompts/index.js';
import { parseTasks, type Task } from '../../../src/tasks/index.js';

/** Unicode, emoji, markdown emphasis, inline code and brackets: all must reach the prompt as written. */
export const PHASE = 'Phase 2 — 核心 *beta* (`v2`)';
export const TASK_TEXT = 'Render **bold** `code` & 🚀 [x] brackets — ünïcödé 👩‍💻';

export const TODOS = [
  '# Roadmap',
  '',
  `## ${PHASE}`,
  '',
  '- [x] Done already',
  `- [ ] ${TASK_TEXT}`,
  '  - handle the empty case',
  '  blocked: waiting for the *style* guide → ask',
  '- [ ] A later task',
  '',
].join('\n');

export function fixtureTask(): Task {
  const task = parseTasks(TODOS).tasks.find((candidate) => !candidate.done);
  if (task === undefined) throw new Error('fixture has no open task');
  return task;
}

export const DEV_INSTRUCTIONS = 'DEV-INSTRUCTIONS: keep changes small. Ünïcode ok.';
export const TESTER_INSTRUCTIONS = 'TESTER-INSTRUCTIONS: be strict about evidence.';

export function context(overrides: Partial<PromptContext> = {}): PromptContext {
  return {
    task: fixtureTask(),
    taskFileRelative: 'docs/TODOS.md',
    instructions: DEV_INSTRUCTIONS,
    testCommand: 'npm test -- --run',
    commitMode: 'agent',
    caps: DEFAULT_PROMPT_CAPS,
    ...overrides,
  };
}

export function numberedLines(count: number, prefix = 'line'): string {
  return Array.from({ length: count }, (_, index) => `${prefix} ${index}`).join('\n');
}
