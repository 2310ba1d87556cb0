/** How a command the harness ran for the user (testCommand, visualCaptureCommand) ended. */
export type CommandOutcome = 'passed' | 'failed' | 'timed_out' | 'skipped' | 'aborted';
