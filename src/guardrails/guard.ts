/**
 * The guard's decision for one tool call inside pi: read this turn's context, classify the call,
 * log what it breaks, and block it (enforce) or let it run (warn). A failure of the guard itself
 * blocks in enforce mode: a check that cannot run is not a pass.
 */
import { errorMessage } from '../util/errors.js';
import { appendBlockRecords, type GuardrailBlockRecord } from './block-log.js';
import { classifyToolCall, type ToolCall } from './classify/classify.js';
import { factsFromContext } from './classify/facts.js';
import { GUARD_LOG_ENV, loadGuardContext } from './context.js';
import { repositoryOracle } from './git-oracle.js';
import { blockMessage, type Violation } from './rules.js';

export interface GuardedCall extends ToolCall {
  toolCallId?: string;
}

export interface GuardDecision {
  block: true;
  reason: string;
}

export async function guardToolCall(call: GuardedCall, env: NodeJS.ProcessEnv): Promise<GuardDecision | undefined> {
  const { context, problem } = loadGuardContext(env, call.cwd);
  if (context.mode === 'off') return undefined;
  let violations: Violation[];
  try {
    violations = await classifyToolCall(call, factsFromContext(context, env, repositoryOracle(context.startCommit)));
  } catch (error) {
    const reason = `the guard could not check this call (${errorMessage(error)})`;
    violations = [{ rule: 'guard-error', reason, subject: subjectOf(call) }];
  }
  if (violations.length === 0) return undefined;
  const action = context.mode === 'warn' ? 'warned' : 'blocked';
  const at = new Date().toISOString();
  const records = violations.map(
    (violation): GuardrailBlockRecord => ({
      type: 'guardrail_block',
      at,
      rule: violation.rule,
      action,
      tool: call.toolName,
      ...(call.toolCallId ? { toolCallId: call.toolCallId } : {}),
      ...inputOf(call),
      subject: violation.subject,
      reason: violation.reason,
      ...(context.role ? { role: context.role } : {}),
      ...(context.iteration !== undefined ? { iteration: context.iteration } : {}),
      ...(problem ? { contextProblem: problem } : {}),
    }),
  );
  try {
    appendBlockRecords(env[GUARD_LOG_ENV], records);
  } catch {
    // The record is lost, the decision is not: the model still gets the block.
  }
  if (action === 'warned') return undefined;
  return { block: true, reason: blockMessage(violations, problem) };
}

function inputOf(call: ToolCall): { command?: string; path?: string } {
  const { command, path } = call.input;
  if (typeof command === 'string') return { command };
  if (typeof path === 'string') return { path };
  return {};
}

function subjectOf(call: ToolCall): string {
  const { command, path } = inputOf(call);
  return command ?? path ?? call.toolName;
}
