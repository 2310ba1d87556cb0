/**
 * The content of one failure artifact: what failed, the command and its exit code, the changed
 * files, the tester's summary and the end of the output (where errors are), as JSON for tools and
 * Markdown for people.
 */
import { lastLines } from '../../verify/tail-buffer.js';
import type { CommandOutcome } from '../../vocabulary/commands.js';
import type { TaskRef, VerifyAfter } from '../../vocabulary/iterations.js';
import type { Verdict } from '../../vocabulary/verdicts.js';
import type { IterationFacts } from '../fold/facts.js';

export type FailureKind = 'verification' | 'tester' | 'iteration';

export interface FailureArtifact {
  runId: string;
  iteration: number;
  /** 1 for the iteration's first failure, 2 for the next (a recheck), and so on. */
  n: number;
  at: string;
  kind: FailureKind;
  summary: string;
  task: TaskRef | null;
  command: string | null;
  after: VerifyAfter | null;
  outcome: CommandOutcome | null;
  exitCode: number | null;
  verdict: Verdict | null;
  testerSummary: string | null;
  /** For `iteration`: how the iteration ended. */
  status: string | null;
  reason: string | null;
  changedFiles: string[];
  outputTail: string;
  /** Output lines left out before the tail (maxFailureArtifactLines). */
  omittedLines: number;
}

export interface FailureInput {
  kind: FailureKind;
  n: number;
  at: string;
  summary: string;
  verdict?: Verdict;
  status?: string;
  reason?: string;
  changedFiles?: string[];
}

export function failureArtifact(facts: IterationFacts, input: FailureInput, maxLines: number): FailureArtifact {
  const verification = facts.lastVerification;
  const tail = lastLines(verification?.output ?? '', maxLines);
  return {
    runId: facts.runId,
    iteration: facts.iteration,
    n: input.n,
    at: input.at,
    kind: input.kind,
    summary: input.summary,
    task: facts.task,
    command: verification?.command || null,
    after: verification?.after ?? null,
    outcome: verification?.outcome ?? null,
    exitCode: verification?.exitCode ?? null,
    verdict: input.verdict ?? (facts.verdict === 'not_run' ? null : facts.verdict),
    testerSummary: facts.lastFindings ?? null,
    status: input.status ?? null,
    reason: input.reason ?? null,
    changedFiles: input.changedFiles ?? facts.changedFiles,
    outputTail: tail.lines.join('\n'),
    omittedLines: tail.omitted,
  };
}

/** A fence longer than any backtick run inside, so the output cannot close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(longest + 1);
}

export function failureMarkdown(artifact: FailureArtifact): string {
  const task = artifact.task
    ? `${artifact.task.phase ? `[${artifact.task.phase}] ` : ''}${artifact.task.text} (${artifact.task.id})`
    : '(unknown task)';
  const lines = [
    `# Failure ${artifact.n} of iteration ${artifact.iteration} (run ${artifact.runId})`,
    '',
    `- What failed: ${artifact.summary}`,
    `- Task: ${task}`,
    `- Command: ${artifact.command ? `\`${artifact.command}\`` : 'none (no verification ran)'}`,
    `- Exit code: ${artifact.exitCode ?? 'none'}${artifact.outcome ? ` (${artifact.outcome}${artifact.after ? ` after ${artifact.after}` : ''})` : ''}`,
    `- Changed files: ${artifact.changedFiles.length > 0 ? artifact.changedFiles.join(', ') : 'none'}`,
    `- At: ${artifact.at}`,
    '',
    '## Tester summary',
    '',
    artifact.testerSummary?.trim() || '(no tester review in this iteration yet)',
    '',
  ];
  if (artifact.outputTail !== '') {
    const shown = artifact.outputTail.split('\n').length;
    const mark = fence(artifact.outputTail);
    lines.push(
      `## Output (last ${shown === 1 ? 'line' : `${shown} lines`}${artifact.omittedLines > 0 ? `, ${artifact.omittedLines} earlier lines omitted` : ''})`,
      '',
      `${mark}text`,
      artifact.outputTail,
      mark,
      '',
    );
  }
  return lines.join('\n');
}
