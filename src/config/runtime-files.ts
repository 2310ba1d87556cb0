/** Where the harness writes its own files, kept free of the schema so light readers need no validator. */

/** Harness-written files: their default sits under piRuntimeDir (this relative path). */
export const RUNTIME_FILE_DEFAULTS = {
  visualCaptureDir: 'visual/capture',
  visualFeedbackFile: 'visual/feedback.md',
  visualReviewHistoryDir: 'visual/history',
  logFile: 'harness.log',
  telemetryJsonl: 'telemetry.jsonl',
  telemetryCsv: 'telemetry.csv',
  stateFile: 'state.json',
  lastPromptFile: 'last-prompt.md',
  lastAgentOutputFile: 'last-agent-output.md',
  lastVerificationOutputFile: 'last-verification-output.txt',
  lastIterationSummaryFile: 'last-iteration.json',
  activeRunFile: 'active-run.json',
  testerFeedbackFile: 'tester-feedback.md',
  testerFeedbackHistoryDir: 'tester-feedback',
  failureArtifactDir: 'failures',
  tokenUsageEventsFile: 'token-usage.jsonl',
  tokenUsageSummaryFile: 'token-usage-summary.json',
} as const;

export type RuntimeFileKey = keyof typeof RUNTIME_FILE_DEFAULTS;
