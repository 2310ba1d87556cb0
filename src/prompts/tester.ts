/**
 * The tester prompt: an independent review in a fresh session, ending with a verdict line (read by tester-reply.ts).
 * The recheck variant (after developerFix repaired the tester's findings) adds those findings and
 * asks for each to be verified specifically.
 *
 * Verdict and commit-plan formats are spelled out so they can be copied, but each example sits
 * after other text on its line: no line of this prompt parses as a verdict (`parseVerdict`) or a
 * commit plan (`parseCommitPlan`), so a model that echoes its instructions does not pass by
 * accident, and no "PASS | FAIL" choice list appears at all.
 */
import {
  changedFilesList,
  code,
  fenced,
  findingsBlock,
  instructionsBlock,
  integrityList,
  joinSections,
  taskSection,
} from './sections.js';
import type { PromptContext } from './types.js';

export interface TesterPromptOptions {
  /** Re-review after a fix of the previous findings (`ctx.testerFindings`). */
  recheck?: boolean;
}

function procedure(ctx: PromptContext): string {
  const command = ctx.testCommand.trim();
  const look =
    ctx.changeDiff !== undefined
      ? // The harness has the diff at hand: asking git for it would cost the review a model request.
        'Review the change below (new files included) yourself, reading files where you need more context'
      : 'Review the change yourself with the commands under "Change under review" (new untracked files are part of it)';
  const tests =
    command === ''
      ? 'No test command is configured: run whatever is relevant to the change.'
      : ctx.verificationPassed
        ? // The harness just ran it on this exact tree: a second run costs a whole test suite and a
          // model request per review, and can only tell what the harness already knows.
          `The harness ran ${code(command)} on this exact tree and it passed: do not run it again.`
        : `Run ${code(command)} and read the result.`;
  return [
    '## Review procedure',
    `${look}; do not trust the developer's summary. ${tests} Report problems; do not fix them. ` +
      'The harness ticks the task when the change is committed.',
  ].join('\n');
}

function commitSection(ctx: PromptContext): string {
  if (ctx.commitMode === 'plan') {
    return [
      '## On PASS: commit plan',
      'Do not stage or commit anything; the harness commits. Just before the verdict line, print:',
      '- a line starting `COMMIT_MESSAGE: ` with a one-line summary of the change',
      '- a line `COMMIT_FILES:`, then one `- path` line per file of this change',
    ].join('\n');
  }
  return [
    '## On PASS: commit',
    "- Stage this change's files by name: `git add -- <path>...` (the changed files below). Never `git add -A`, " +
      '`git add .` or `git commit -a`: other dirty files in the tree are not part of this change.',
    '- Then `git commit -m "<one-line summary of the change>"`. On FAIL or BLOCKED, commit nothing.',
  ].join('\n');
}

/** Each example line is complete and preceded by its condition, so none reads as a verdict. */
const VERDICT_SECTION = [
  '## Verdict',
  'The last line of your reply is the verdict, alone on its line:',
  '- all good → `VERDICT: PASS`',
  '- anything wrong or missing → `VERDICT: FAIL`, with the findings above it',
  '- the review itself cannot be done (broken environment, unclear or impossible task) → `VERDICT: BLOCKED`, ' +
    'with the reason above it',
].join('\n');

function changeSection(ctx: PromptContext): string {
  // A short hash is as unambiguous here and cheaper in every tester prompt.
  const start = ctx.startCommit?.trim().slice(0, 12);
  const lines = ['## Change under review'];
  const files = changedFilesList(ctx);
  if (ctx.changeDiff !== undefined) {
    lines.push(start ? `The iteration started at commit ${code(start)}.` : 'The change is not committed yet.');
    if (files !== undefined) lines.push('Changed files:', files);
    lines.push(
      'The change, new files included:',
      ctx.changeDiff.trim() === '' ? '(no file content changed)' : fenced(ctx.changeDiff.trimEnd(), 'diff'),
    );
    return lines.join('\n');
  }
  lines.push(
    start
      ? `The iteration started at commit ${code(start)}. See the change with \`git status\` and ${code(`git diff ${start}`)}.`
      : 'See the change with `git status` and `git diff HEAD`.',
  );
  if (files !== undefined) lines.push('Changed files:', files);
  return lines.join('\n');
}

/**
 * What the harness's integrity checks found: flagged edits still in the change (`warn`), and the
 * ones the developer was asked to undo (`enforce`), so the review looks at them in particular.
 */
function integritySection(ctx: PromptContext): string | undefined {
  const open = integrityList(ctx, ctx.integrityFindings);
  const repaired = integrityList(ctx, ctx.repairedIntegrityFindings);
  if (open === undefined && repaired === undefined) return undefined;
  const lines = ['## Integrity findings'];
  if (open !== undefined)
    lines.push(
      "The harness's integrity checks flagged these edits in the change (tests deleted, skipped or weakened, " +
        'protected files edited). Unless the task really requires an edit, it is a reason to fail the review; ' +
        'name it in your findings:',
      open,
    );
  if (repaired !== undefined)
    lines.push(
      "The harness's integrity checks had flagged these edits and the developer was asked to undo them; " +
        'the checks find them no more. Confirm they are really undone:',
      repaired,
    );
  return lines.join('\n');
}

function recheckSection(ctx: PromptContext): string {
  const findings = findingsBlock(ctx);
  return [
    '## Recheck',
    'An earlier review rejected this change and the developer has since made a fix.',
    ...(findings === undefined ? [] : ['The earlier findings:', findings]),
    'Verify specifically that each earlier finding is resolved, then review the whole change again as above.',
  ].join('\n');
}

export function buildTesterPrompt(ctx: PromptContext, options: TesterPromptOptions = {}): string {
  return joinSections([
    '# Tester',
    instructionsBlock(ctx.instructions),
    procedure(ctx),
    commitSection(ctx),
    VERDICT_SECTION,
    taskSection(ctx, 'Task under review'),
    changeSection(ctx),
    integritySection(ctx),
    options.recheck === true ? recheckSection(ctx) : undefined,
  ]);
}

/** The recheck variant, for callers that prefer a named builder. */
export function buildTesterRecheckPrompt(ctx: PromptContext): string {
  return buildTesterPrompt(ctx, { recheck: true });
}
