/**
 * Binds the prompt builders to a loaded configuration and the live workspace: instruction files
 * are read once per run, the changed-file list is taken fresh for every prompt.
 */
import type { Config } from '../config/load.js';
import {
  buildDeveloperFixPrompt,
  buildDeveloperPrompt,
  buildDeveloperRetryPrompt,
  buildTesterPrompt,
  capsFromConfig,
  loadInstructions,
  type PromptContext,
} from '../prompts/index.js';
import { describeFinding } from '../integrity/index.js';
import { toRepoRelative } from '../workspace/changes.js';
import type { PromptRequest, PromptSource } from './prompt-source.js';

export interface PromptSourceOptions {
  config: Config;
  /** Visual feedback waiting for the next developer prompt, if any. */
  visualFeedback?: () => Promise<string | undefined>;
  /** Edit-strategy hints from loop history and large-file warnings, current at each prompt. */
  guidance?: () => { loopConstraints: string[]; largeFileWarnings: { path: string; lines: number }[] };
  /** Operator guidance waiting for a developer prompt (`pi-harness steer`); taking it hands it over. */
  operatorGuidance?: (kind: PromptRequest['kind']) => string[];
}

type FixRequest = Extract<PromptRequest, { kind: 'developerFix' }>;

/** What developerFix is to repair, added to its prompt context. */
function withFixHandoff(base: PromptContext, request: FixRequest): PromptContext {
  switch (request.source) {
    case 'verification': {
      const { verification } = request;
      const outcome = verification.outcome === 'timed_out' ? 'timed_out' : 'failed';
      return {
        ...base,
        verificationTail: {
          command: verification.command,
          exitCode: verification.exitCode,
          outcome,
          output: verification.output,
        },
      };
    }
    case 'commitHook':
      return { ...base, commitHookFailure: { reason: request.reason, output: request.output } };
    case 'tester':
      return { ...base, testerFindings: request.findings };
    case 'integrity':
      return { ...base, integrityFindings: request.integrity.map(describeFinding) };
  }
}

export async function createPromptSource(options: PromptSourceOptions): Promise<PromptSource> {
  const { config } = options;
  const developer = (await loadInstructions(config, 'developer')).text;
  const tester = (await loadInstructions(config, 'tester')).text;

  const context = async (
    request: PromptRequest,
    instructions: string,
    changedFiles: readonly string[],
  ): Promise<PromptContext> => {
    const visualFeedback = request.kind === 'developer' ? await options.visualFeedback?.() : undefined;
    const guidance = request.kind === 'tester' ? undefined : options.guidance?.();
    const operatorGuidance = request.kind === 'tester' ? [] : (options.operatorGuidance?.(request.kind) ?? []);
    return {
      task: request.task,
      taskFileRelative: toRepoRelative(config.repoRoot, config.taskFile),
      instructions,
      testCommand: config.testCommand,
      commitMode: config.commitMode,
      caps: capsFromConfig(config),
      changedFiles: [...changedFiles],
      ...(visualFeedback ? { visualFeedback } : {}),
      ...(guidance?.loopConstraints.length ? { loopConstraints: guidance.loopConstraints } : {}),
      ...(guidance?.largeFileWarnings.length ? { largeFileWarnings: guidance.largeFileWarnings } : {}),
      ...(operatorGuidance.length > 0 ? { operatorGuidance } : {}),
    };
  };

  return {
    async build(request, changedFiles) {
      switch (request.kind) {
        case 'developer':
          return buildDeveloperPrompt(await context(request, developer, changedFiles));
        case 'developerRetry':
          // The retry continues the developer's own session, which already holds the task.
          return buildDeveloperRetryPrompt(await context(request, developer, changedFiles), {
            continued: true,
            reason: request.reason,
          });
        case 'developerFix':
          return buildDeveloperFixPrompt(
            withFixHandoff(await context(request, developer, changedFiles), request),
            request.source,
          );
        case 'tester': {
          const base = await context(request, tester, changedFiles);
          return buildTesterPrompt(
            {
              ...base,
              ...(request.startCommit ? { startCommit: request.startCommit } : {}),
              ...(request.previousFindings ? { testerFindings: request.previousFindings } : {}),
              verificationPassed: request.verificationPassed,
              ...(request.diff !== undefined ? { changeDiff: request.diff } : {}),
              integrityFindings: request.integrity.open.map(describeFinding),
              repairedIntegrityFindings: request.integrity.repaired.map(describeFinding),
            },
            { recheck: request.recheck },
          );
        }
      }
    },
  };
}
