/**
 * developerFix: one focused repair of what verification or the tester found. The head is the same
 * as the developer prompt's (cache reuse); the failure comes last, where the model reads it just
 * before acting.
 */
import { capLines, cleanOutput, limit, lineLimit, truncateLongLines } from './compact.js';
import { collapseForeignFrames } from './stack-frames.js';
import { developerPreamble } from './developer.js';
import {
  changedFilesList,
  code,
  fenced,
  findingsBlock,
  integrityList,
  joinSections,
  notesSection,
  operatorGuidanceSection,
  taskSection,
} from './sections.js';
import type { PromptContext, VerificationTail } from './types.js';

export type FixSource = 'verification' | 'tester' | 'integrity' | 'commitHook';

function describeFailure(tail: VerificationTail): string {
  const command = code(tail.command);
  if (tail.outcome === 'timed_out') return `${command} did not finish within its time limit and was stopped.`;
  return tail.exitCode === null
    ? `${command} failed (killed by a signal).`
    : `${command} failed with exit code ${tail.exitCode}.`;
}

/**
 * The END of the output: test runners print the failing assertions and the summary last. Cleaned
 * of escape codes and of stack frames in the runtime or dependencies first, so the cap counts
 * lines the model can act on.
 */
export function verificationExcerpt(ctx: PromptContext, tail: VerificationTail): string {
  const text = truncateLongLines(collapseForeignFrames(cleanOutput(tail.output)), lineLimit(ctx.caps));
  if (text === '') return 'It printed nothing.';
  const capped = capLines(text, limit(ctx.caps, 'maxVerificationExcerptLines'), { keep: 'tail' });
  return [capped.omitted > 0 ? 'The end of its output:' : 'Its output:', fenced(capped.text)].join('\n');
}

function verificationSection(ctx: PromptContext): string {
  const tail = ctx.verificationTail;
  if (tail === undefined) throw new Error("buildDeveloperFixPrompt: source 'verification' needs ctx.verificationTail");
  const repair =
    tail.outcome === 'timed_out'
      ? 'Find what hangs or is slow (a test waiting forever, an open server or handle, a watch mode) and fix that one cause.'
      : 'Fix the cause shown above.';
  return [
    '## Fix: verification failed',
    describeFailure(tail),
    verificationExcerpt(ctx, tail),
    '',
    `${repair} Make one focused repair for the current task; do not start unrelated work. ` +
      `Re-run ${code(tail.command)} before you finish.`,
  ].join('\n');
}

function testerSection(ctx: PromptContext): string {
  const findings = findingsBlock(ctx);
  const intro =
    findings === undefined
      ? 'An independent reviewer rejected the change without details; re-check it against the task and its details.'
      : 'An independent reviewer checked the change and rejected it:';
  const command = ctx.testCommand.trim();
  return [
    '## Fix: review findings',
    intro,
    ...(findings === undefined ? [] : [findings]),
    '',
    'Fix what the findings describe, in one focused repair; do not start unrelated work.' +
      (command === '' ? '' : ` Re-run ${code(command)} before you finish.`),
  ].join('\n');
}

function integritySection(ctx: PromptContext): string {
  const findings = integrityList(ctx, ctx.integrityFindings);
  if (findings === undefined)
    throw new Error("buildDeveloperFixPrompt: source 'integrity' needs ctx.integrityFindings");
  const command = ctx.testCommand.trim();
  return [
    '## Fix: integrity findings',
    "The harness compared this iteration's changes with its start. These edits make the task look done without " +
      'doing it (each names the file and the rule):',
    findings,
    '',
    'Undo each of them — restore the test or the file, remove the skip marker, put the configuration ' +
      'back — and make the task pass honestly, in one focused repair.' +
      (command === '' ? '' : ` Re-run ${code(command)} before you finish.`) +
      ' The harness checks again; a finding still there fails the iteration (your work is kept for the user). ' +
      'If the task really requires one of these edits, say so in your final message.',
  ].join('\n');
}

/** The output of the hooks, cleaned and capped like a verification's (the end is where errors are). */
function commitHookSection(ctx: PromptContext): string {
  const failure = ctx.commitHookFailure;
  if (failure === undefined)
    throw new Error("buildDeveloperFixPrompt: source 'commitHook' needs ctx.commitHookFailure");
  const text = truncateLongLines(collapseForeignFrames(cleanOutput(failure.output)), lineLimit(ctx.caps));
  const capped = capLines(text, limit(ctx.caps, 'maxVerificationExcerptLines'), { keep: 'tail' });
  const output =
    text === ''
      ? 'They printed nothing.'
      : [capped.omitted > 0 ? 'The end of their output:' : 'Their output:', fenced(capped.text)].join('\n');
  return [
    "## Fix: the repository's commit hooks refused the commit",
    `The change passed review, but committing it failed: ${failure.reason}.`,
    output,
    '',
    'Fix what the hooks report (formatting, lint, a message rule) in one focused repair; do not start ' +
      'unrelated work and do not commit yourself: the harness commits again, through the same hooks.',
  ].join('\n');
}

const FIX_SECTIONS = {
  verification: verificationSection,
  tester: testerSection,
  integrity: integritySection,
  commitHook: commitHookSection,
};

function changedSection(ctx: PromptContext): string | undefined {
  const list = changedFilesList(ctx);
  return list === undefined ? undefined : ['## Changed so far in this iteration', list].join('\n');
}

export function buildDeveloperFixPrompt(ctx: PromptContext, source: FixSource): string {
  return joinSections([
    developerPreamble(ctx),
    taskSection(ctx, 'Current task'),
    changedSection(ctx),
    operatorGuidanceSection(ctx),
    notesSection(ctx),
    FIX_SECTIONS[source](ctx),
  ]);
}
