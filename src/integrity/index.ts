/**
 * Honest completion: the test baseline, the runner-summary parsers and the integrity findings
 * that let the harness, not the agent, decide that a task is done. See docs/integrity.md.
 */
export { allowEntryErrors, isAllowed } from './allow.js';
export {
  baselineCounts,
  buildBaseline,
  type PassingVerification,
  type TestBaseline,
  type TestFileRecord,
  type TreeBlob,
} from './baseline.js';
export {
  type CurrentTask,
  checkIntegrity,
  type IntegrityInput,
  type IntegrityOptions,
  type IntegrityResult,
} from './check.js';
export { decideIntegrity, type IntegrityAction, type IntegrityDecisionInput } from './decide.js';
export { describeFinding, describeRule, integrityTrailers } from './describe.js';
export { CI_GLOBS } from './protected-files.js';
export {
  DEFAULT_MAX_TEXT_BYTES,
  readBlobs,
  readIterationChanges,
  readTextAtCommit,
  readTreeBlobs,
  recordTestBaseline,
  type ReadChangesOptions,
  type RecordBaselineOptions,
} from './read-git.js';
export { type CountUnit, notRun, type TestCounts } from './summary/counts.js';
export {
  parseTestSummary,
  type RecognisedSummary,
  type RunnerName,
  SUMMARY_PARSERS,
  type SummaryOptions,
} from './summary/dispatch.js';
export { DEFAULT_TEST_GLOBS, defaultTestGlobs, type Ecosystem, globMatcher } from './test-globs.js';
export {
  type FileChange,
  type FileContent,
  INTEGRITY_MODES,
  INTEGRITY_RULES,
  type IntegrityFinding,
  type IntegrityMode,
  type IntegrityRule,
  isIntegrityRule,
  TEST_RUN_PATH,
} from './types.js';
