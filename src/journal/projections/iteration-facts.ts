/**
 * What the journal says about the iteration in progress, folded event by event. Several
 * projections (telemetry, last iteration, failure artifacts, tester feedback) read these facts,
 * so they are folded once here and agree by construction.
 */
import { addUsage, emptyUsage, type Role, type TokenUsage, type TurnStatus } from '../../agent/types.js';
import type { Verdict } from '../../vocabulary/verdicts.js';
import type { CommandOutcome } from '../../vocabulary/commands.js';
import type { JournalEvent, TaskRef } from '../events.js';

export interface VerificationFacts {
  after: string;
  command: string;
  outcome: CommandOutcome;
  exitCode: number | null;
  durationMs: number;
  /** The whole captured output when the journal has it, else the journal's tail. */
  output: string;
}

export interface IterationFacts {
  runId: string;
  iteration: number;
  task: TaskRef;
  startedAt: string;
  /** Status of the last developer (or developerRetry) turn. */
  developer?: TurnStatus;
  verification: CommandOutcome | 'not_run';
  verdict: Verdict | 'not_run';
  commit?: string;
  turns: number;
  modelRequests: number;
  toolCalls: number;
  toolErrors: number;
  usage: TokenUsage;
  /** Agent time per role. */
  roleMs: Partial<Record<Role, number>>;
  verificationMs: number;
  verificationRuns: number;
  /** Models that answered, in order of first use. */
  models: string[];
  /** The iteration's changed files as last reported (after a turn, or at the end). */
  changedFiles: string[];
  lastVerification?: VerificationFacts;
  /** The findings of the last tester verdict. */
  lastFindings?: string;
  verdicts: number;
}

function startFacts(event: Extract<JournalEvent, { type: 'iteration_start' }>): IterationFacts {
  return {
    runId: event.runId,
    iteration: event.iteration,
    task: event.task,
    startedAt: event.at,
    verification: 'not_run',
    verdict: 'not_run',
    turns: 0,
    modelRequests: 0,
    toolCalls: 0,
    toolErrors: 0,
    usage: emptyUsage(),
    roleMs: {},
    verificationMs: 0,
    verificationRuns: 0,
    models: [],
    changedFiles: [],
    verdicts: 0,
  };
}

/** Folds one event. Events of other iterations (a crashed one being rescued) leave the facts alone. */
export function foldIteration(facts: IterationFacts | undefined, event: JournalEvent): IterationFacts | undefined {
  if (event.type === 'iteration_start') return startFacts(event);
  if (!facts || !('iteration' in event) || event.iteration !== facts.iteration) return facts;
  switch (event.type) {
    case 'turn_end': {
      const model = event.model;
      return {
        ...facts,
        ...(event.role === 'developer' || event.role === 'developerRetry' ? { developer: event.status } : {}),
        turns: facts.turns + 1,
        modelRequests: facts.modelRequests + event.modelRequests,
        toolCalls: facts.toolCalls + event.toolCalls,
        toolErrors: facts.toolErrors + event.toolErrors,
        usage: addUsage(facts.usage, event.usage),
        roleMs: { ...facts.roleMs, [event.role]: (facts.roleMs[event.role] ?? 0) + event.durationMs },
        models: model && !facts.models.includes(model) ? [...facts.models, model] : facts.models,
        changedFiles: event.changedFiles,
      };
    }
    case 'verification':
      return {
        ...facts,
        verification: event.outcome,
        verificationMs: facts.verificationMs + event.durationMs,
        verificationRuns: facts.verificationRuns + (event.outcome === 'skipped' ? 0 : 1),
        lastVerification: {
          after: event.after,
          command: event.command,
          outcome: event.outcome,
          exitCode: event.exitCode,
          durationMs: event.durationMs,
          output: event.output ?? event.outputTail,
        },
      };
    case 'verdict':
      return { ...facts, verdict: event.verdict, lastFindings: event.findings, verdicts: facts.verdicts + 1 };
    case 'commit':
      return { ...facts, commit: event.commit };
    case 'iteration_end':
      return {
        ...facts,
        ...(event.commit ? { commit: event.commit } : {}),
        ...(event.changedFiles ? { changedFiles: event.changedFiles } : {}),
      };
    default:
      return facts;
  }
}
