/** The steps that are agent turns: developer (and its retry), developerFix, tester. */
import { countedVerdict, parseVerdict, testerFindings } from '../../prompts/tester-reply.js';
import type { Outcome, Step } from '../decide.js';
import type { IterationRun } from '../iteration-run.js';
import type { PromptRequest } from '../prompt-source.js';
import { testerDiff } from '../tester-diff.js';
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
  let request: PromptRequest;
  if (step.source === 'integrity') {
    request = { kind: 'developerFix', task, source: 'integrity', integrity: run.state.integrityFindings };
    run.state.repairedFindings = [...run.state.integrityFindings];
  } else if (step.source === 'verification' && verification) {
    request = { kind: 'developerFix', task, source: 'verification', verification };
  } else if (step.source === 'commitHook' && hookRefusal) {
    request = { kind: 'developerFix', task, source: 'commitHook', ...hookRefusal };
  } else {
    request = { kind: 'developerFix', task, source: 'tester', findings: run.state.findings };
  }
  const { summary } = await runAgentTurn(run, 'developerFix', request);
  return { step: 'fix', turn: summary };
}

export async function testerStep(run: IterationRun, step: Extract<Step, { kind: 'tester' }>): Promise<Outcome> {
  const diff = await testerDiff(run);
  const request: PromptRequest = {
    kind: 'tester',
    task: run.start.task,
    recheck: step.recheck,
    startCommit: run.start.startCommit,
    previousFindings: step.recheck ? run.state.findings : undefined,
    verificationPassed: run.state.lastVerification?.outcome === 'passed',
    ...(diff !== undefined ? { diff } : {}),
    integrity: { open: run.state.integrityFindings, repaired: run.state.repairedFindings },
  };
  const { turn, summary } = await runAgentTurn(run, 'tester', request);
  // The tester's reply is read once, here: its verdict (only a turn that ended normally gives one)
  // and its findings.
  const verdict = countedVerdict(turn.status, turn.finalText);
  const written = parseVerdict(turn.finalText);
  if (written !== verdict)
    run.state.notes.push(`the tester's turn ended ${turn.status}: its VERDICT: ${written} line does not count`);
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
