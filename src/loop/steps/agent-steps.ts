/** The steps that are agent turns: developer (and its retry), developerFix, tester. */
import { parseVerdict, testerFindings } from '../../prompts/tester-reply.js';
import type { Outcome, Step } from '../decide.js';
import type { IterationRun } from '../iteration-run.js';
import type { PromptRequest } from '../prompt-source.js';
import { runAgentTurn } from './agent-turn.js';

export async function developerStep(run: IterationRun, step: Extract<Step, { kind: 'developer' }>): Promise<Outcome> {
  const { task } = run.start;
  const { turn, summary } = step.retry
    ? await runAgentTurn(
        run,
        'developerRetry',
        { kind: 'developerRetry', task, reason: step.retry },
        run.state.developerSession,
      )
    : await runAgentTurn(run, 'developer', { kind: 'developer', task });
  run.state.developerSession = turn.sessionId ?? run.state.developerSession;
  return { step: 'developer', turn: summary };
}

export async function fixStep(run: IterationRun, step: Extract<Step, { kind: 'fix' }>): Promise<Outcome> {
  const { task } = run.start;
  const verification = run.state.lastVerification;
  const hookRefusal = run.state.commitHookRefusal;
  const request: PromptRequest =
    step.source === 'verification' && verification
      ? { kind: 'developerFix', task, source: 'verification', verification }
      : step.source === 'commitHook' && hookRefusal
        ? { kind: 'developerFix', task, source: 'commitHook', ...hookRefusal }
        : { kind: 'developerFix', task, source: 'tester', findings: run.state.findings };
  const { summary } = await runAgentTurn(run, 'developerFix', request);
  return { step: 'fix', turn: summary };
}

export async function testerStep(run: IterationRun, step: Extract<Step, { kind: 'tester' }>): Promise<Outcome> {
  const request: PromptRequest = {
    kind: 'tester',
    task: run.start.task,
    recheck: step.recheck,
    startCommit: run.start.startCommit,
    previousFindings: step.recheck ? run.state.findings : undefined,
    verificationPassed: run.state.lastVerification?.outcome === 'passed',
  };
  const { turn, summary } = await runAgentTurn(run, 'tester', request);
  // The tester's reply is read once, here: its verdict and its findings.
  const verdict = parseVerdict(turn.finalText);
  run.state.testerText = turn.finalText;
  run.state.findings = testerFindings(turn.finalText);
  run.services.journal.append({
    type: 'verdict',
    iteration: run.start.iteration,
    verdict,
    recheck: step.recheck,
    findings: run.state.findings,
  });
  return { step: 'tester', turn: summary, verdict };
}
