export {
  DEFAULT_PROMPT_CAPS,
  capsFromConfig,
  type PromptCaps,
  type PromptContext,
  type VerificationTail,
} from './types.js';
export {
  MAX_HANDOFF_LINE_CHARS,
  capLines,
  capList,
  cleanOutput,
  collapseBlankLines,
  limit,
  omissionNote,
  stripAnsi,
  truncateLine,
  type CapLinesOptions,
  type CappedList,
  type CappedText,
} from './compact.js';
export { buildDeveloperPrompt } from './developer.js';
export { buildDeveloperRetryPrompt, type DeveloperRetryOptions } from './developer-retry.js';
export { buildDeveloperFixPrompt, type FixSource } from './developer-fix.js';
export { buildTesterPrompt, buildTesterRecheckPrompt, type TesterPromptOptions } from './tester.js';
export {
  bundledTemplatePath,
  bundledTemplatesDir,
  instructionKind,
  loadInstructions,
  resolveInstructionsFile,
  type InstructionConfig,
  type InstructionKind,
  type InstructionRole,
  type InstructionSource,
  type LoadedInstructions,
} from './templates.js';
