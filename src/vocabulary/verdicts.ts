/**
 * The two kinds of judgement an iteration can get. The tester's `Verdict` is read from a
 * `VERDICT:` line and can be missing (`UNKNOWN`, never a pass); the visual review's
 * `VisualVerdict` comes from its JSON answer, and the harness decides BLOCKED when there is none.
 */

export type Verdict = 'PASS' | 'FAIL' | 'BLOCKED' | 'UNKNOWN';

export const VISUAL_VERDICTS = ['PASS', 'FAIL', 'BLOCKED'] as const;
export type VisualVerdict = (typeof VISUAL_VERDICTS)[number];
