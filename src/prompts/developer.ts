/**
 * The developer prompt: implement the current task. The head (role heading, instructions, harness
 * rules) is byte-identical for developer, a fresh developerRetry and developerFix, so a local
 * server's prompt cache covers it across all developer turns of a run.
 */
import {
  code,
  findingsBlock,
  instructionsBlock,
  joinSections,
  notesSection,
  operatorGuidanceSection,
  taskSection,
  visualFeedbackSection,
} from './sections.js';
import type { PromptContext } from './types.js';

/** The mechanics the harness relies on, whatever the user's instruction file says. */
function developerRules(ctx: PromptContext): string {
  const taskFile = code(ctx.taskFileRelative);
  const command = ctx.testCommand.trim();
  return [
    '## Harness rules',
    `- Work on the current task only (below); leave the other tasks in ${taskFile} alone.`,
    command === ''
      ? '- No test command is configured: check your change by running what is relevant.'
      : `- Run ${code(command)} and make it pass before you finish.`,
    `- When the task is done, tick it in ${taskFile}: \`[ ]\` → \`[x]\` on its line, nothing else in that file.`,
    '- Do not commit, stash or reset: the harness reviews and commits the change.',
    '- End with a short summary: what you changed and anything left undone.',
  ].join('\n');
}

/** Stable head shared by every developer-side prompt (see the module comment). */
export function developerPreamble(ctx: PromptContext): string {
  return joinSections(['# Developer', instructionsBlock(ctx.instructions), developerRules(ctx)]).trimEnd();
}

function earlierFindingsSection(ctx: PromptContext): string | undefined {
  const block = findingsBlock(ctx);
  if (block === undefined) return undefined;
  return ['## Earlier review findings', 'A reviewer rejected an earlier attempt at this task:', block].join('\n');
}

export function buildDeveloperPrompt(ctx: PromptContext): string {
  return joinSections([
    developerPreamble(ctx),
    taskSection(ctx, 'Current task'),
    earlierFindingsSection(ctx),
    visualFeedbackSection(ctx),
    operatorGuidanceSection(ctx),
    notesSection(ctx),
  ]);
}
