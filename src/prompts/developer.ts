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
    command === ''
      ? '- Work on the current task only (below). No test command is configured: check your change by running what is relevant.'
      : `- Work on the current task only (below). Run ${code(command)} and make it pass before you finish.`,
    // The harness ticks the task in the commit of its change (commit-step.ts): a tick by the agent
    // would be a model request that decides nothing.
    `- Leave ${taskFile} alone and do not commit, stash or reset: the harness reviews the change, commits it and ticks the task.`,
    '- End with one short line: what you changed, or what is left undone and why.',
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
