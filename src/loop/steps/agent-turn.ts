/**
 * One agent turn of an iteration (developer, developerFix, tester): its prompt from the changes
 * the previous step left, the turn journaled as it starts, lives and ends, and the work tree read
 * once afterwards — that reading tells whether the turn changed anything and is what the next
 * step starts from.
 */
import type { TurnLaunch, TurnResult } from '../../agent/types.js';
import type { Config } from '../../config/load.js';
import { modelForRole } from '../../config/role-model.js';
import { journalTurnEnd } from '../../journal/turn-events.js';
import { loadoutFor } from '../../prompts/system.js';
import type { Role } from '../../vocabulary/roles.js';
import { addUsage } from '../../vocabulary/turns.js';
import type { TurnSummary } from '../decide.js';
import { readTree, type IterationRun } from '../iteration-run.js';
import { largeFiles } from '../large-files.js';
import type { PromptRequest } from '../prompt-source.js';

/** How often a long turn says that it is still running. */
const HEARTBEAT_MS = 60_000;

export interface TurnOutcome {
  turn: TurnResult;
  summary: TurnSummary;
}

/** A local model can think for minutes without calling a tool: the journal hears it is still alive. */
function heartbeat(run: IterationRun, role: Role): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    run.services.journal.append({
      type: 'heartbeat',
      iteration: run.start.iteration,
      role,
      elapsedMs: Date.now() - started,
    });
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

async function startTurn(
  run: IterationRun,
  role: Role,
  request: PromptRequest,
): Promise<{ prompt: string; model?: string }> {
  const { config, journal, prompts } = run.services;
  // Relative to the iteration's start commit, so files an agent already committed still count.
  const prompt = await prompts.build(request, run.state.tree.changes.all);
  const model = modelForRole(config, role);
  // Declared in the configuration, it lets the views show how full the context is.
  const contextWindow = model ? config.models[model]?.contextWindow : undefined;
  // The prompt travels in the journal; the last-prompt file is its projection.
  journal.append({
    type: 'turn_start',
    iteration: run.start.iteration,
    role,
    step: request.kind,
    ...(request.kind === 'developerRetry' ? { retry: request.reason } : {}),
    promptBytes: Buffer.byteLength(prompt),
    ...(model ? { model } : {}),
    ...(contextWindow ? { contextWindow } : {}),
    prompt,
  });
  return { prompt, ...(model ? { model } : {}) };
}

/** What `role`'s turns start pi with: the same for a turn and for a process started ahead of it. */
export function turnLaunch(config: Config, role: Role): TurnLaunch {
  const model = modelForRole(config, role);
  return {
    ...(model ? { model } : {}),
    tools: loadoutFor(role, config).tools,
    ...(config.piThinking ? { thinking: config.piThinking } : {}),
    cwd: config.repoRoot,
  };
}

export async function runAgentTurn(
  run: IterationRun,
  role: Role,
  request: PromptRequest,
  sessionId?: string,
): Promise<TurnOutcome> {
  const { config, transport, signal } = run.services;
  const { prompt } = await startTurn(run, role, request);
  const before = run.state.tree;
  const loadout = loadoutFor(role, config);
  const stopHeartbeat = heartbeat(run, role);
  let turn: TurnResult;
  try {
    turn = await transport.runTurn(
      {
        role,
        prompt,
        ...turnLaunch(config, role),
        offeredTools: loadout.offeredTools,
        ...(loadout.systemPrompt ? { systemPrompt: loadout.systemPrompt } : {}),
        session: sessionId ? { kind: 'continue', sessionId } : { kind: 'new' },
      },
      signal,
    );
  } finally {
    stopHeartbeat();
  }
  const after = await readTree(run);
  run.state.tree = after;
  if (role !== 'tester') {
    run.state.largeFiles = await largeFiles(config.repoRoot, after.changes.all, config.largeFileWarningLines);
    run.services.guidance.largeFileWarnings = run.state.largeFiles;
  }
  run.state.usage = addUsage(run.state.usage, turn.usage);
  journalTurnEnd(run.services.journal, run.start.iteration, turn, after.changes.all);
  // Without a fingerprint from before (never expected), the turn counts as having changed files.
  const changedFiles = before.fingerprint === undefined || before.fingerprint !== after.fingerprint;
  return { turn, summary: { status: turn.status, terminalReason: turn.terminalReason, changedFiles } };
}
