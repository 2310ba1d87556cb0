/**
 * The iteration's state machine at work: performs the step decide() asks for — one handler per
 * step kind — feeds the typed outcome back in, and stops at an end step. A stop from outside (a
 * signal, a budget) is decided by decide.ts too (`whenInterrupted`).
 */
import {
  advance,
  decide,
  enter,
  whenInterrupted,
  type DecisionLimits,
  type EndStep,
  type Outcome,
  type Step,
} from '../decide.js';
import { OperatorSkip } from '../control-desk.js';
import type { IterationRun } from '../iteration-run.js';
import { developerStep, fixStep, testerStep } from './agent-steps.js';
import { commitHandler, visualHandler } from './commit-and-review.js';
import { integrityStep } from './integrity-step.js';
import { verifyStep } from './verify-step.js';

type StepHandlers = {
  [K in Exclude<Step['kind'], 'end'>]: (run: IterationRun, step: Extract<Step, { kind: K }>) => Promise<Outcome>;
};

const HANDLERS: StepHandlers = {
  developer: developerStep,
  verify: verifyStep,
  integrity: integrityStep,
  fix: fixStep,
  tester: testerStep,
  commit: commitHandler,
  visual: visualHandler,
};

function perform(run: IterationRun, step: Exclude<Step, { kind: 'end' }>): Promise<Outcome> {
  return (HANDLERS[step.kind] as (run: IterationRun, step: Step) => Promise<Outcome>)(run, step);
}

/** Runs the steps until the end; returns the end step (status and reason of the iteration). */
export async function runSteps(run: IterationRun, limits: DecisionLimits): Promise<EndStep> {
  const { state } = run;
  const { signal } = run.services;
  while (state.step.kind !== 'end') {
    if (signal.aborted) break;
    const outcome = await perform(run, state.step);
    // HEAD as the step left it: after a crash, commits below it are known to be the iteration's.
    await run.services.inProgress.note({ head: state.tree.head });
    state.progress = advance(state.progress, outcome);
    state.step = decide(state.progress, outcome, limits);
    state.progress = enter(state.progress, state.step);
  }
  const cause = signal.reason instanceof OperatorSkip ? 'skip' : 'stop';
  const end = signal.aborted || state.step.kind !== 'end' ? whenInterrupted(state.step, cause) : state.step;
  state.step = end;
  return end;
}
