/**
 * The configuration schema, declared once. From this one declaration come:
 * - the TypeScript type (`ConfigInput` / `ParsedConfig`),
 * - the defaults (zod `.default()`),
 * - the validation (zod checks),
 * - the environment variable of each field (`x-env` metadata, read back by `env.ts`),
 * - the JSON Schema shipped as `schema/pi.config.schema.json` (`json-schema.ts`).
 */
import { z } from '../util/validator.js';
import { INTEGRITY_MODES, INTEGRITY_RULES, readAllowEntry } from '../vocabulary/integrity.js';
import { GUARDRAIL_MODES } from '../vocabulary/guardrails.js';
import { ROLES } from '../vocabulary/roles.js';
import { RUNTIME_FILE_DEFAULTS, type RuntimeFileKey } from './runtime-files.js';

/** Metadata attached to a field: what users read in their editor and which variable overrides it. */
interface FieldMeta {
  description: string;
  env?: string;
}

function meta<T extends z.ZodType>(schema: T, info: FieldMeta): T {
  const entry: Record<string, string> = { description: info.description };
  if (info.env) entry['x-env'] = info.env;
  return schema.meta(entry);
}

/**
 * Node's timers hold at most 2^31−1 ms (about 24.8 days); a longer wait fires after 1 ms instead
 * (with a warning per timer), so a larger number of seconds is refused as a configuration error.
 */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const timerLimit = `at most ${MAX_TIMER_SECONDS} seconds (about 24 days; longer waits cannot be timed)`;
const seconds = (min = 0) => z.number().int().min(min).max(MAX_TIMER_SECONDS, timerLimit);
const count = (min = 1) => z.number().int().min(min);
const modelName = z.string().regex(/^[^/\s]+\/\S+$/, 'expected a model name of the form "provider/id"');
const relativeOrAbsolutePath = z.string().min(1);
const commandPattern = z
  .string()
  .refine((pattern) => pattern.trim() !== '', 'expected a command pattern such as "git push origin refs/for/*"');
const protectIgnoredLimits = z.strictObject({
  maxFileBytes: z.number().int().min(0).optional().meta({ description: 'Larger ignored files are not kept.' }),
  maxTotalBytes: z.number().int().min(0).optional().meta({ description: 'At most this much is kept in all.' }),
  skipDirs: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: 'Directory names never looked into (replaces the default list).' }),
});

/** Each `integrityAllow` entry must name a rule (and a glob after a colon, if any). */
function checkAllowEntries(entries: string[], ctx: z.core.$RefinementCtx<string[]>): void {
  entries.forEach((entry, index) => {
    const read = readAllowEntry(entry);
    if ('problem' in read)
      ctx.addIssue({
        code: 'custom',
        path: [index],
        message: `${read.problem}; expected "rule" or "rule:glob", the rule one of ${INTEGRITY_RULES.join(', ')}`,
      });
  });
}

/** Each `worktreeDependencies` entry is a folder inside the repository: relative, never above it. */
function checkRelativeFolders(entries: string[], ctx: z.core.$RefinementCtx<string[]>): void {
  entries.forEach((entry, index) => {
    const parts = entry.split(/[\\/]/);
    if (entry.startsWith('/') || /^[A-Za-z]:/.test(entry) || parts.includes('..') || parts.includes('.git'))
      ctx.addIssue({
        code: 'custom',
        path: [index],
        message: `"${entry}" is not a folder inside the repository; expected a relative path like "node_modules"`,
      });
  });
}

export const THINKING_LEVELS = ['off', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export const TRANSPORTS = ['rpc', 'mock'] as const;
export const COMMIT_MODES = ['agent', 'plan'] as const;
export const PROMPT_MODES = ['compact', 'full'] as const;
export const SYSTEM_PROMPTS = ['harness', 'pi'] as const;

export const ModelEndpointSchema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).meta({
      description: 'OpenAI-compatible (or other pi-supported API) base URL, e.g. http://127.0.0.1:11434/v1',
    }),
    api: z.string().min(1).default('openai-completions').meta({
      description:
        'The API pi speaks to this endpoint: openai-completions, openai-responses, anthropic-messages, google-generative-ai, ...',
    }),
    apiKey: z.string().min(1).optional().meta({
      description: 'Literal API key. Prefer apiKeyEnv so the key never sits in a file.',
    }),
    apiKeyEnv: z
      .string()
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]*$/,
        'expected the name of an environment variable that holds the key (e.g. LOCAL_LLM_KEY), not the key itself',
      )
      .optional()
      .meta({ description: 'Name of the environment variable holding the API key.' }),
    vision: z.boolean().default(false).meta({ description: 'The model accepts images.' }),
    contextWindow: count(1024).optional().meta({ description: 'Context window in tokens.' }),
    maxTokens: count(1).optional().meta({ description: 'Maximum output tokens per request.' }),
  })
  .refine((m) => !(m.apiKey && m.apiKeyEnv), {
    message: 'set either apiKey or apiKeyEnv, not both',
  });

const roleModelsShape = Object.fromEntries(ROLES.map((role) => [role, modelName.optional()])) as Record<
  (typeof ROLES)[number],
  z.ZodOptional<typeof modelName>
>;

export { RUNTIME_FILE_DEFAULTS, type RuntimeFileKey };

const file = (key: RuntimeFileKey, description: string) =>
  meta(relativeOrAbsolutePath.optional(), {
    description: `${description} Default: <piRuntimeDir>/${RUNTIME_FILE_DEFAULTS[key]}.`,
  });

export const ConfigSchema = z.object({
  $schema: z.string().optional().meta({ description: 'Editor hint; ignored by the harness.' }),

  // tasks and roles
  taskFile: meta(relativeOrAbsolutePath.default('TODOS.md'), {
    description: 'The Markdown task file, relative to the repo root.',
    env: 'PI_TASK_FILE',
  }),
  developerInstructionsFile: meta(relativeOrAbsolutePath.optional(), {
    description: 'Instructions for the developer roles. Default: the bundled template.',
    env: 'PI_DEVELOPER_INSTRUCTIONS_FILE',
  }),
  testerInstructionsFile: meta(relativeOrAbsolutePath.optional(), {
    description: 'Instructions for the tester role. Default: the bundled template.',
    env: 'PI_TESTER_INSTRUCTIONS_FILE',
  }),
  instructionsFile: meta(relativeOrAbsolutePath.optional(), {
    description: 'Legacy: one instruction file used for both roles when the specific ones are unset.',
    env: 'PI_INSTRUCTIONS_FILE',
  }),

  // agent
  transport: meta(z.enum(TRANSPORTS).default('rpc'), {
    description: 'How agent turns run: "rpc" (the real pi) or "mock" (offline, changes nothing).',
    env: 'PI_TRANSPORT',
  }),
  piCli: meta(z.string().min(1).optional(), {
    description: 'Path to the pi executable. Default: the pi installed with pi-harness.',
    env: 'PI_CLI',
  }),
  piModel: meta(modelName.optional(), {
    description: "Default model for every role, as provider/id. Default: pi's own default.",
    env: 'PI_MODEL',
  }),
  visualReviewModel: meta(modelName.optional(), {
    description: 'Model for visual review (must accept images). Falls back to piModel.',
    env: 'PI_VISUAL_REVIEW_MODEL',
  }),
  roleModels: meta(z.object(roleModelsShape).default({}), {
    description: 'Per-role model overrides (provider/id).',
  }),
  models: meta(z.record(modelName, ModelEndpointSchema).default({}), {
    description:
      'Model endpoints the harness declares to pi, keyed by provider/id. A model here works for every role with no separate pi configuration.',
  }),
  piTools: meta(
    z
      .union([z.string(), z.array(z.string().min(1))])
      .default('read,edit,write,find,ls,bash')
      .transform((value) =>
        (typeof value === 'string' ? value.split(',') : value).map((tool) => tool.trim()).filter(Boolean),
      )
      .refine((tools) => tools.length > 0, 'expected at least one tool name'),
    { description: 'Tools the agents may use: a comma-separated string or an array.', env: 'PI_TOOLS' },
  ),
  systemPrompt: meta(z.enum(SYSTEM_PROMPTS).default('harness'), {
    description:
      '"harness": each agent turn runs under the harness\'s short system prompt for unattended work, with its ' +
      'role\'s tools only; "pi": under pi\'s own general-purpose system prompt (its tools still chosen per role). ' +
      'docs/prompts.md shows both, with their sizes.',
    env: 'PI_SYSTEM_PROMPT',
  }),
  piThinking: meta(z.enum(THINKING_LEVELS).optional(), {
    description: 'Thinking level passed to pi.',
    env: 'PI_THINKING',
  }),
  piNoExtensions: meta(z.boolean().default(false), {
    description: 'Start pi with --no-extensions.',
    env: 'PI_NO_EXTENSIONS',
  }),
  piNoSkills: meta(z.boolean().default(false), {
    description: 'Start pi with --no-skills.',
    env: 'PI_NO_SKILLS',
  }),
  piNoPromptTemplates: meta(z.boolean().default(false), {
    description: 'Start pi with --no-prompt-templates.',
    env: 'PI_NO_PROMPT_TEMPLATES',
  }),

  // workflow
  commitMode: meta(z.enum(COMMIT_MODES).default('agent'), {
    description:
      '"agent": the tester commits; "plan": the tester prints COMMIT_MESSAGE/COMMIT_FILES and the harness commits.',
    env: 'PI_COMMIT_MODE',
  }),
  promptMode: meta(z.enum(PROMPT_MODES).default('compact'), {
    description: '"compact" caps handoffs in prompts; "full" lifts the caps.',
    env: 'PI_PROMPT_MODE',
  }),
  testCommand: meta(z.string().default(''), {
    description: 'Fast verification command, run through your shell. Empty: verification is skipped.',
    env: 'PI_TEST_CMD',
  }),
  verificationTimeoutSeconds: meta(seconds(1).default(300), {
    description: 'Time limit for testCommand.',
    env: 'PI_VERIFICATION_TIMEOUT',
  }),
  idleRetryLimit: meta(count(0).default(1), {
    description: 'Developer retries after a turn that timed out or stalled.',
    env: 'PI_IDLE_RETRY_LIMIT',
  }),
  noChangeRetryLimit: meta(count(0).default(1), {
    description: 'Developer retries after a turn that changed nothing.',
    env: 'PI_NO_CHANGE_RETRY_LIMIT',
  }),
  maxIterations: meta(count(1).default(200), {
    description: 'Upper bound on iterations of one `run`.',
    env: 'PI_MAX_ITERS',
  }),
  parallel: meta(count(1).max(16).default(1), {
    description:
      'Tasks of one phase worked on at once by `run`, each in its own git worktree, merged one at a time. ' +
      '1 = one task at a time in the work tree itself.',
    env: 'PI_PARALLEL',
  }),
  worktreeDependencies: meta(z.array(z.string().min(1)).superRefine(checkRelativeFolders).default(['node_modules']), {
    description:
      'Git-ignored folders of the work tree (installed dependencies: node_modules, .venv…) that each parallel ' +
      "worktree gets as a hard-linked copy, so its tests run without installing again. A folder git doesn't " +
      'ignore, or that is missing, is left out.',
  }),
  worktreeSetupCommand: meta(z.string().default(''), {
    description:
      'Command run through your shell in each new parallel worktree before its first task (e.g. `npm ci`), ' +
      'with the time limit of verificationTimeoutSeconds. Empty: none. If it fails, the run stops.',
    env: 'PI_WORKTREE_SETUP_CMD',
  }),
  sleepBetweenSeconds: meta(z.number().min(0).max(MAX_TIMER_SECONDS, timerLimit).default(2), {
    description: 'Pause between iterations of `run`.',
    env: 'PI_SLEEP_BETWEEN',
  }),

  // watchdogs (0 disables)
  continueAfterSeconds: meta(seconds().default(300), {
    description: 'Silence after which pi gets one soft "continue". 0 disables.',
    env: 'PI_CONTINUE_AFTER',
  }),
  toolContinueAfterSeconds: meta(seconds().default(900), {
    description: 'Like continueAfterSeconds, while a tool is running. 0 disables.',
    env: 'PI_TOOL_CONTINUE_AFTER',
  }),
  noEventTimeoutSeconds: meta(seconds().default(900), {
    description: 'Silence after which the turn is aborted as stalled. 0 disables.',
    env: 'PI_NO_EVENT_TIMEOUT',
  }),
  toolNoEventTimeoutSeconds: meta(seconds().default(1800), {
    description: 'Like noEventTimeoutSeconds, while a tool is running. 0 disables.',
    env: 'PI_TOOL_NO_EVENT_TIMEOUT',
  }),
  agentTimeoutSeconds: meta(seconds().default(3600), {
    description: 'Hard wall-clock cap per agent turn, however chatty the model is. 0 disables.',
    env: 'PI_AGENT_TIMEOUT',
  }),

  // loop guards
  loopRepeatThreshold: meta(count(2).default(12), {
    description: 'The same tool call this many times in a row aborts the turn as a loop.',
    env: 'PI_LOOP_REPEAT_THRESHOLD',
  }),
  samePathRepeatThreshold: meta(count(2).default(8), {
    description: 'Tool calls on the same path this many times in a row abort the turn as a loop.',
    env: 'PI_SAME_PATH_REPEAT_THRESHOLD',
  }),
  sameFileLoopBudget: meta(count(1).default(2), {
    description: 'Iterations in a row that may rework the same file before edit-strategy hints escalate.',
    env: 'PI_SAME_FILE_LOOP_BUDGET',
  }),
  loopHistoryLimit: meta(count(1).default(25), {
    description: 'Iterations of loop history kept for those hints.',
    env: 'PI_LOOP_HISTORY_LIMIT',
  }),

  // prompt caps and warnings
  maxPromptChangedFiles: meta(count().default(10), { description: 'Changed files listed in a prompt.' }),
  maxVisualFeedbackLines: meta(count().default(20), { description: 'Visual feedback lines in a prompt.' }),
  maxTesterFeedbackLines: meta(count().default(32), { description: 'Tester finding lines in a prompt.' }),
  maxPromptNotesLines: meta(count().default(16), { description: 'Note lines (warnings, hints) in a prompt.' }),
  maxVerificationExcerptLines: meta(count().default(40), {
    description: 'Lines from the end of the verification output given to developerFix.',
  }),
  maxPromptDiffLines: meta(count(0).default(300), {
    description:
      "The tester's prompt carries the iteration's diff when it has at most this many lines (else the tester " +
      'looks it up with git); 0: never.',
  }),
  maxFailureArtifactLines: meta(count().default(80), { description: 'Output lines kept in a failure artifact.' }),
  largeFileWarningLines: meta(count().default(500), {
    description: 'A touched source file longer than this gets a warning.',
  }),
  largeSpecWarningLines: meta(count().default(300), {
    description: 'A task file or instruction file longer than this gets a warning.',
  }),

  // visual review
  visualReviewEnabled: meta(z.boolean().default(false), {
    description: 'Run a visual review every visualReviewEveryNSuccesses successful iterations.',
    env: 'PI_VISUAL_REVIEW_ENABLED',
  }),
  visualReviewEveryNSuccesses: meta(count().default(5), {
    description: 'Successful iterations between visual reviews.',
    env: 'PI_VISUAL_REVIEW_EVERY',
  }),
  visualCaptureCommand: meta(z.string().optional(), {
    description: 'Shell command that writes screenshots and <captureDir>/manifest.json.',
    env: 'PI_VISUAL_CAPTURE_CMD',
  }),
  visualCaptureTimeoutSeconds: meta(seconds(1).default(300), { description: 'Time limit for the capture command.' }),
  visualReviewMaxImages: meta(count().default(8), { description: 'Images sent to the visual review model.' }),
  visualReviewTimeoutSeconds: meta(seconds(1).default(300), { description: 'Time limit for one visual review.' }),
  visualCaptureDir: file('visualCaptureDir', 'Where the capture command writes.'),
  visualFeedbackFile: file('visualFeedbackFile', 'Latest visual review feedback.'),
  visualReviewHistoryDir: file('visualReviewHistoryDir', 'One file per visual review.'),

  // files
  piRuntimeDir: meta(relativeOrAbsolutePath.default('.pi-harness'), {
    description:
      'The directory the harness writes its artifacts and projections under (kept out of git; recreated if ' +
      'deleted). The lock, the state and the journals live under the git common directory instead.',
    env: 'PI_RUNTIME_DIR',
  }),
  logFile: file('logFile', 'Human-readable log.'),
  telemetryJsonl: file('telemetryJsonl', 'Telemetry, one JSON record per iteration.'),
  telemetryCsv: file('telemetryCsv', 'Telemetry as CSV with a stable column set.'),
  stateFile: file(
    'stateFile',
    'A copy of the harness state (attempts, parked tasks, counters), for people and tools; the state itself is ' +
      '<git common dir>/pi-harness/state.json.',
  ),
  lastPromptFile: file('lastPromptFile', 'The exact prompt of the last agent turn.'),
  lastAgentOutputFile: file('lastAgentOutputFile', 'The final text of the last agent turn.'),
  lastVerificationOutputFile: file('lastVerificationOutputFile', 'Output of the last verification.'),
  lastIterationSummaryFile: file('lastIterationSummaryFile', 'Summary of the last iteration.'),
  activeRunFile: file(
    'activeRunFile',
    'A copy of the run lock naming its holder, present while a run holds it; the lock itself is ' +
      '<git common dir>/pi-harness/lock.json, one per repository.',
  ),
  testerFeedbackFile: file('testerFeedbackFile', 'Latest tester findings.'),
  testerFeedbackHistoryDir: file('testerFeedbackHistoryDir', 'Tester findings per iteration.'),
  failureArtifactDir: file('failureArtifactDir', 'Failure artifacts.'),
  tokenUsageEventsFile: file('tokenUsageEventsFile', 'One record per agent turn with its token usage.'),
  tokenUsageSummaryFile: file('tokenUsageSummaryFile', 'Token totals and breakdowns.'),
  keepRuns: meta(count().default(20), {
    description:
      'Runs kept (journals under <git common dir>/pi-harness/runs, projections under <piRuntimeDir>/runs); ' +
      'older ones are removed when a run starts.',
    env: 'PI_KEEP_RUNS',
  }),

  // guardrails
  maxConsecutiveFailures: meta(count().default(3), {
    description: 'Failed iterations in a row that stop the run.',
    env: 'PI_MAX_CONSECUTIVE_FAILURES',
  }),
  maxTaskAttempts: meta(count().default(3), {
    description: 'Failed attempts after which a task is parked.',
    env: 'PI_MAX_TASK_ATTEMPTS',
  }),
  maxRunSeconds: meta(seconds().default(0), { description: 'Run time budget. 0 = none.', env: 'PI_MAX_RUN_SECONDS' }),
  maxRunTokens: meta(count(0).default(0), { description: 'Token budget per run. 0 = none.', env: 'PI_MAX_RUN_TOKENS' }),
  maxTaskTokens: meta(count(0).default(0), {
    description: 'Token budget per task. 0 = none.',
    env: 'PI_MAX_TASK_TOKENS',
  }),
  maxRunCostUsd: meta(z.number().min(0).default(0), {
    description: 'Cost budget per run in USD. 0 = none.',
    env: 'PI_MAX_RUN_COST_USD',
  }),
  allowDirty: meta(z.boolean().default(false), {
    description: 'Start on a tree with uncommitted changes (they are never touched or committed).',
    env: 'PI_ALLOW_DIRTY',
  }),
  guardrails: meta(z.enum(GUARDRAIL_MODES).default('enforce'), {
    description:
      '"enforce": destructive tool calls are blocked, and changes to refs, stash, git config, hooks and ' +
      'ignored files are put back after each iteration; "warn": both are only reported; "off": neither.',
    env: 'PI_GUARDRAILS',
  }),
  guardrailsAllow: meta(z.array(commandPattern).default([]), {
    description:
      "Command patterns exempt from the guardrail rules, written as the command's first words " +
      '("git push origin refs/for/*", "write .git/info/exclude").',
  }),
  guardrailsDeny: meta(z.array(commandPattern).default([]), {
    description: 'Command patterns always blocked (rule deny-list), even when allowed.',
  }),
  protectIgnored: meta(z.union([z.boolean(), protectIgnoredLimits]).default(true), {
    description:
      'Which ignored files (your .env, local settings) are kept and put back when an agent deletes them: ' +
      'true (each up to 1 MiB, 64 MiB in all, outside node_modules, dist, build, target, .venv, vendor), ' +
      'false (none), or limits.',
  }),
  commitHooks: meta(z.boolean().default(true), {
    description:
      "The harness's own commits run the repository's commit hooks (the copy taken at run start) " +
      'within verificationTimeoutSeconds.',
    env: 'PI_COMMIT_HOOKS',
  }),

  // honest completion (docs/integrity.md)
  integrity: meta(z.enum(INTEGRITY_MODES).default('enforce'), {
    description:
      'What an integrity finding (a test deleted or skipped, the test command weakened, a protected file ' +
      'edited) does: ' +
      '"enforce" sends it to developerFix once, then fails the iteration; "warn" commits with an Integrity-Finding ' +
      'trailer; "off" skips the checks.',
    env: 'PI_INTEGRITY',
  }),
  testGlobs: meta(z.array(z.string().min(1)).optional(), {
    description:
      'Globs of the test files, repository-relative. Setting it replaces the defaults, which cover the common ' +
      'layouts of JavaScript/TypeScript, Python, Go, Rust, Java/Kotlin and Ruby.',
  }),
  protectedPaths: meta(z.array(z.string().min(1)).default([]), {
    description: 'More globs of files the agents must not change; they add to the built-in list, never remove from it.',
  }),
  integrityAllow: meta(z.array(z.string()).superRefine(checkAllowEntries).default([]), {
    description: 'Integrity findings you accept: "rule" or "rule:glob", e.g. "ci-config-edited:.github/workflows/**".',
  }),

  // dashboard
  dashboard: meta(z.boolean().optional(), {
    description:
      'Serve the live dashboard while a run works (`--dashboard` / `--no-dashboard` decide per command). Default: on for `run`, off for `once`. Old name: visualizer.',
    env: 'PI_VISUALIZER',
  }),
  dashboardHost: meta(z.string().min(1).default('127.0.0.1'), {
    description:
      'Address the dashboard listens on. Anything but a loopback address makes it reachable from other machines (with a warning). Old name: visualizerHost.',
    env: 'PI_VISUALIZER_HOST',
  }),
  dashboardPort: meta(z.number().int().min(0).max(65535).default(4317), {
    description: 'Dashboard port; when taken, the next free one. 0 picks any free port. Old name: visualizerPort.',
    env: 'PI_VISUALIZER_PORT',
  }),
});

export type ConfigInput = z.input<typeof ConfigSchema>;
export type ParsedConfig = z.output<typeof ConfigSchema>;
export type ModelEndpointConfig = z.output<typeof ModelEndpointSchema>;
export type ConfigKey = keyof ParsedConfig;

/** Fields holding paths; they resolve against the repo root. */
export const PATH_FIELDS = [
  'taskFile',
  'developerInstructionsFile',
  'testerInstructionsFile',
  'instructionsFile',
  'piRuntimeDir',
  ...(Object.keys(RUNTIME_FILE_DEFAULTS) as RuntimeFileKey[]),
] as const satisfies readonly ConfigKey[];
