/** Every projection of the journal, in the order they are applied to each event. */
import { failuresProjection } from './failures.js';
import { lastIterationProjection } from './last-iteration.js';
import { latestOutputsProjection } from './latest-outputs.js';
import { logProjection } from './log.js';
import { runSummaryProjection } from './run-summary.js';
import { telemetryProjection } from './telemetry.js';
import { testerFeedbackProjection } from './tester-feedback.js';
import { tokenUsageProjection } from './token-usage.js';
import { erase, type AnyProjection } from './types.js';

export const PROJECTIONS: readonly AnyProjection[] = [
  erase(logProjection),
  erase(latestOutputsProjection),
  erase(telemetryProjection),
  erase(tokenUsageProjection),
  erase(testerFeedbackProjection),
  erase(failuresProjection),
  erase(lastIterationProjection),
  erase(runSummaryProjection),
];
