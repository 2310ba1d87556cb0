export { runPreflight } from './preflight.js';
export { preflightChecks } from './checks.js';
export { formatChecks, verdictLine, STATUS_SYMBOL } from './format.js';
export type { CheckResult, CheckStatus, PreflightOptions, PreflightResult, PreflightTimeouts } from './types.js';
